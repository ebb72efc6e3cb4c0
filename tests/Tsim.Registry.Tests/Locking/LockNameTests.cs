using Tsim.Registry.Locking;

namespace Tsim.Registry.Tests.Locking;

public sealed class LockNameTests
{
    [Fact]
    public void RegistryLocks_HaveSpecificationNamesUnderPrefix()
    {
        LockName.HostsRegistry("tsim").SemaphoreName.Should().Be("/tsim-hosts-registry");
        LockName.HostLeases("tsim").SemaphoreName.Should().Be("/tsim-host-leases");
        LockName.NeighborLeases("tsim").SemaphoreName.Should().Be("/tsim-neighbor-leases");
        LockName.HostsRegistry("ut01").IsRouter.Should().BeFalse();
        LockName.HostsRegistry("ut01").RouterName.Should().BeNull();
    }

    [Fact]
    public void Router_NamesRouterUnderPrefix()
    {
        var name = LockName.Router("ut01", "router-1");

        name.Value.Should().Be("ut01-router-router-1");
        name.SemaphoreName.Should().Be("/ut01-router-router-1");
        name.RouterName.Should().Be("router-1");
        name.IsRouter.Should().BeTrue();
        name.ToString().Should().Be("ut01-router-router-1");
    }

    [Fact]
    public void Equality_SameNames_AreEqual()
    {
        LockName.Router("p", "r").Should().Be(LockName.Router("p", "r"));
        LockName.Router("p", "r").Should().NotBe(LockName.Router("p", "s"));
    }
}
