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

    [Fact]
    public void Dispose_FromManyThreadsAtOnce_ReleasesOnce()
    {
        var scope = _manager.AllRouterLocks(["r1", "r2"], "job-1");

        Concurrently.Run(8, _ =>
        {
            scope.Dispose();
            return true;
        });

        _context.RouterSemaphoreValue("r1").Should().Be(1, "posted exactly once: a second post would make it 2");
        _context.RouterSemaphoreValue("r2").Should().Be(1);
        _manager.IsRouterLocked("r1").Should().BeFalse();
    }

    [Fact]
    public void Dispose_AfterTheJobReleasedAndTookTheRouterAgain_LeavesTheNewHold()
    {
        var scope = _manager.RouterLock("r1", "job-1");
        _manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        _manager.AcquireRouterLock("r1", "job-1", TimeSpan.Zero).Should().BeTrue();

        scope.Dispose();

        _context.RouterSemaphoreValue("r1").Should().Be(0, "the scope releases only the hold it was given");
        _manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
    }

    [Fact]
    public void Dispose_ConcurrentlyWithTheManagersDispose_NeverThrowsAndPostsExactlyOnce()
    {
        var logPath = Path.Combine(_context.RegistryDirectory, "transactions.log");
        for (var iteration = 0; iteration < 200; iteration++)
        {
            // Every other manager writes an audit log, which its Dispose closes under the scope's audit line.
            var manager = iteration % 2 == 0
                ? _context.CreateManager()
                : _context.CreateManager(o =>
                {
                    o.EnableTransactionLog = true;
                    o.TransactionLogPath = logPath;
                });
            var scope = manager.AllRouterLocks(["r1", "r2"], "job-1");

            Concurrently.Run(2, i =>
            {
                if (i == 0)
                {
                    scope.Dispose();
                }
                else
                {
                    manager.Dispose();
                }

                return true;
            });

            _context.RouterSemaphoreValue("r1").Should().Be(1, $"iteration {iteration}: free, and posted once (never 2)");
            _context.RouterSemaphoreValue("r2").Should().Be(1, $"iteration {iteration}");
        }

        using var fresh = _context.CreateManager();
        fresh.IsRouterLocked("r1").Should().BeFalse();
        fresh.IsRouterLocked("r2").Should().BeFalse();
    }

    [Fact]
    public void Dispose_WithTransactionLog_WritesOneReleaseLinePerRouter()
    {
        var logPath = Path.Combine(_context.RegistryDirectory, "transactions.log");
        var manager = _context.CreateManager(o =>
        {
            o.EnableTransactionLog = true;
            o.TransactionLogPath = logPath;
        });
        var scope = manager.AllRouterLocks(["r2", "r1"], "job-1");

        scope.Dispose();
        scope.Dispose();

        var releases = File.ReadAllLines(logPath).Where(l => l.Contains("\"operation\":\"release_router_lock\"", StringComparison.Ordinal)).ToList();
        releases.Should().HaveCount(2);
        releases[0].Should().Contain("\"details\":{\"router\":\"r1\",\"job_id\":\"job-1\"}");
        releases[1].Should().Contain("\"details\":{\"router\":\"r2\",\"job_id\":\"job-1\"}");
    }
}
