using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

public sealed class RouterLockScopeTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly RegistryManager _manager;

    public RouterLockScopeTests() => _manager = _context.CreateManager();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void Dispose_ReleasesRouterAndNotifies()
    {
        var scope = _manager.RouterLock("r1", "job-1");
        _context.RouterSemaphoreValue("r1").Should().Be(0);

        scope.Dispose();

        _context.RouterSemaphoreValue("r1").Should().Be(1);
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        File.Exists(_context.NotifyPath("r1")).Should().BeTrue();
    }

    [Fact]
    public void Dispose_Twice_ReleasesOnceSoNextHolderKeepsLock()
    {
        var scope = _manager.RouterLock("r1", "job-1");
        scope.Dispose();
        _manager.AcquireRouterLock("r1", "job-1").Should().BeTrue("the same job takes it again");

        scope.Dispose();

        _context.RouterSemaphoreValue("r1").Should().Be(0, "the second Dispose must not release the new hold");
    }

    [Fact]
    public async Task DisposeAsync_ReleasesLikeDispose()
    {
        var scope = _manager.AllRouterLocks(["r2", "r1"], "job-1");

        await scope.DisposeAsync();
        await scope.DisposeAsync();

        _context.RouterSemaphoreValue("r1").Should().Be(1);
        _context.RouterSemaphoreValue("r2").Should().Be(1);
    }

    [Fact]
    public void RouterLock_Scope_ExposesRouterAndJob()
    {
        using var scope = _manager.RouterLock("r1", "job-1");

        scope.RouterNames.Should().Equal("r1");
        scope.JobId.Should().Be("job-1");
    }

    [Fact]
    public void Dispose_AfterManagerDisposed_DoesNotThrowAndLockIsFree()
    {
        var scope = _manager.RouterLock("r1", "job-1");
        _manager.Dispose();

        var act = scope.Dispose;

        act.Should().NotThrow("disposing a scope must be safe in any order");
        _context.RouterSemaphoreValue("r1").Should().Be(1);
    }
}
