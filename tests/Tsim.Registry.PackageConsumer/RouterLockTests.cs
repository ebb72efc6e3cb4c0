using Tsim.Registry;
using Tsim.Registry.Testing;
using Xunit;

namespace JobRunner.Tests;

// A registry per test: xunit makes a new instance of the class for every test, and Dispose removes the registry.
public sealed class RouterLockTests : IDisposable
{
    private readonly TemporaryRegistry _registry = new();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public void TwoJobRunners_OneRouter_OneAtATime()
    {
        // Two managers on one registry: two job runners, each with locks of its own.
        var first = _registry.CreateManager();
        var second = _registry.CreateManager();
        first.RegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a");

        using (first.RouterLock("router-1", "job-1"))
        {
            Assert.False(second.AcquireRouterLock("router-1", "job-2", TimeSpan.Zero));
            Assert.Equal("job-1", second.GetRouterLockOwner("router-1")?.JobId);
        }

        Assert.True(second.AcquireRouterLock("router-1", "job-2", TimeSpan.Zero));
        Assert.NotNull(second.GetHostInfo("web-1"));
    }

    [Fact]
    public void Dispose_LeavesNothingBehind()
    {
        var registry = new TemporaryRegistry();
        registry.Manager.RegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a");
        var other = registry.CreateManager();
        using var scope = registry.Manager.RouterLock("router-1", "job-1");
        Assert.False(other.AcquireRouterLock("router-1", "job-2", TimeSpan.Zero));

        registry.Dispose();

        Assert.False(Directory.Exists(registry.Directory));
        Assert.Empty(Directory.GetFiles("/dev/shm", $"sem.{registry.SemaphorePrefix}-*"));
    }
}
