using System.Diagnostics;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Locking;

/// <summary>Spec integration test "lock timeout scenarios": another process holds, this one gives up in time.</summary>
public sealed class LockTimeoutTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMilliseconds(300);

    /// <summary>Slack below the timeout for the clock read around the call; the wait itself never ends early.</summary>
    private static readonly TimeSpan s_clockSlack = TimeSpan.FromMilliseconds(10);

    private readonly RegistryFixture _registry = new();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task AcquireRouterLock_HeldByAnotherProcess_ReturnsFalseAfterTheTimeoutThenSucceedsAfterRelease()
    {
        var holder = await HoldAsync("lock", "r1");
        var manager = _registry.CreateManager();

        var start = Stopwatch.GetTimestamp();
        var acquired = manager.AcquireRouterLock("r1", "quick-1", s_timeout);
        var elapsed = Stopwatch.GetElapsedTime(start);

        acquired.Should().BeFalse();
        elapsed.Should().BeGreaterThanOrEqualTo(s_timeout - s_clockSlack);
        manager.GetRouterLockOwner("r1")!.Pid.Should().Be(holder.Pid);

        await ReleaseAsync(holder);
        manager.AcquireRouterLock("r1", "quick-1", TimeSpan.FromSeconds(10)).Should().BeTrue();
        manager.ReleaseRouterLock("r1", "quick-1").Should().BeTrue();
    }

    [Fact]
    public async Task RouterLock_HeldByAnotherProcess_ThrowsRegistryLockTimeoutException()
    {
        var holder = await HoldAsync("lock", "r1");
        var manager = _registry.CreateManager();

        var act = () => manager.RouterLock("r1", "quick-1", s_timeout);

        var thrown = act.Should().Throw<RegistryLockTimeoutException>().Which;
        thrown.LockNames.Should().Equal("r1");
        thrown.Timeout.Should().Be(s_timeout);
        thrown.Message.Should().Contain("'r1'").And.Contain("'quick-1'");

        await ReleaseAsync(holder);
        using (manager.RouterLock("r1", "quick-1", TimeSpan.FromSeconds(10)))
        {
            manager.IsRouterLocked("r1").Should().BeTrue();
        }

        manager.IsRouterLocked("r1").Should().BeFalse();
    }

    [Fact]
    public async Task AcquireAllRouterLocksAtomic_OneHeldByAnotherProcess_ReturnsFalseAndHoldsNoneOfTheOthers()
    {
        var holder = await HoldAsync("lock", "r2");
        var manager = _registry.CreateManager();

        manager.AcquireAllRouterLocksAtomic(["r3", "r2", "r1"], "detailed-2", s_timeout).Should().BeFalse();

        // r1 sorts first and was taken before r2 timed out: it must have been given back.
        manager.IsRouterLocked("r1").Should().BeFalse();
        manager.IsRouterLocked("r3").Should().BeFalse();
        manager.ReleaseAllRouterLocks(["r1", "r2", "r3"], "detailed-2").Should().Be(0, "the manager holds nothing");
        File.Exists(Path.Combine(manager.LockDirectory, $"{_registry.Prefix}-router-r1")).Should().BeFalse();

        // Another process can take the routers the failed attempt touched, at once.
        var other = await HoldAsync("lock-all", "r1,r3", "--timeout", "0");
        await ReleaseAsync(other);

        await ReleaseAsync(holder);
        manager.AcquireAllRouterLocksAtomic(["r3", "r2", "r1"], "detailed-2", TimeSpan.FromSeconds(10)).Should().BeTrue();
        manager.ReleaseAllRouterLocks(["r1", "r2", "r3"], "detailed-2").Should().Be(3);
    }

    [Fact]
    public async Task AllRouterLocks_OneHeldByAnotherProcess_ThrowsNamingAllRoutersAndHoldsNone()
    {
        var holder = await HoldAsync("lock", "r2");
        var manager = _registry.CreateManager();

        var act = () => manager.AllRouterLocks(["r2", "r1"], "detailed-2", s_timeout);

        var thrown = act.Should().Throw<RegistryLockTimeoutException>().Which;
        thrown.LockNames.Should().Equal("r1", "r2");
        thrown.Timeout.Should().Be(s_timeout);
        manager.IsRouterLocked("r1").Should().BeFalse();

        await ReleaseAsync(holder);
    }

    [Fact]
    public async Task AcquireRouterLock_InWorkerWhileTestProcessHolds_WorkerReportsTimeout()
    {
        var manager = _registry.CreateManager();
        manager.AcquireRouterLock("r1", "detailed-1", TimeSpan.Zero).Should().BeTrue();

        var worker = _registry.StartWorker("lock", "r1", "quick-1", "--timeout", "0.3");
        await worker.ExpectAsync("timeout");
        (await worker.WaitForExitAsync()).Should().Be(1);

        manager.ReleaseRouterLock("r1", "detailed-1").Should().BeTrue();
        var retry = await HoldAsync("lock", "r1", "--timeout", "10");
        await ReleaseAsync(retry);
    }

    /// <summary>Starts a worker that takes the routers as job <c>holder-N</c> and waits until it holds them.</summary>
    private async Task<WorkerProcess> HoldAsync(string command, string routers, params string[] options)
    {
        var worker = _registry.StartWorker(command, [routers, "holder-" + Guid.NewGuid().ToString("N")[..6], .. options]);
        await worker.ExpectAsync("acquired");
        return worker;
    }

    private static async Task ReleaseAsync(WorkerProcess worker)
    {
        worker.SendLine("release");
        await worker.ExpectAsync("released");
        (await worker.WaitForExitAsync()).Should().Be(0);
    }
}
