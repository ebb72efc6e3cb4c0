using Tsim.Registry.Testing;
using Xunit;

namespace JobRunner.Tests;

// One registry for the whole class: xunit builds the fixture once and disposes it after the last test.
public sealed class HostCatalogTests(TemporaryRegistry registry) : IClassFixture<TemporaryRegistry>
{
    [Fact]
    public void RegisteredHost_IsListed()
    {
        registry.Manager.RegisterHost("catalog-1", "10.0.1.10", "router-1", "02:00:00:00:01:0a");

        Assert.Contains("catalog-1", registry.Manager.ListAllHosts().Keys);
    }

    [Fact]
    public void SameAddressTwice_IsRefused()
    {
        registry.Manager.RegisterHost("catalog-2", "10.0.1.20", "router-1", "02:00:00:00:01:14");

        var result = registry.Manager.TryRegisterHost("catalog-3", "10.0.1.20", "router-1", "02:00:00:00:01:1e");

        Assert.False(result.IsRegistered);
        Assert.Equal("catalog-2", result.CollidingHostName);
    }
}
