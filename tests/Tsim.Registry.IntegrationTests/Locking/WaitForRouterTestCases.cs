using System.Diagnostics;
using System.Globalization;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.Locking;

/// <summary>
/// Spec integration test "quick jobs waiting for detailed jobs", for one setting of
/// <see cref="RegistryManagerOptions.SharedWithPython"/> per concrete subclass (of every worker and manager, unless a
/// test gives one the other setting): a detailed job holds a router in one process, a quick job waits for it in
/// another and wakes from the release's event. The order of events is read from timestamps of one machine-wide
/// monotonic clock (<see cref="Stopwatch"/>, CLOCK_MONOTONIC), printed by the workers.
/// </summary>
public abstract class WaitForRouterTestCases : RouterRecordModeTestCases
{
    private static readonly TimeSpan s_shortTimeout = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan s_longTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The release comes this long after the waiter started, just past its first once-a-second fallback re-check:
    /// a waiter that missed the release event would wake about 0.9 s after the release, one woken by it at once.
    /// </summary>
    private static readonly TimeSpan s_hold = TimeSpan.FromMilliseconds(1100);

    private static readonly TimeSpan s_eventDriven = TimeSpan.FromMilliseconds(500);

    private readonly ITestOutputHelper _output;

    protected WaitForRouterTestCases(ITestOutputHelper output)
        : base(new RegistryFixture()) => _output = output;

    private RegistryManager CreateManager(bool otherSetting = false) =>
        Registry.CreateManager(o => o.SharedWithPython = otherSetting ? !SharedWithPython : SharedWithPython);

    private static long Timestamp(string token) => long.Parse(token, CultureInfo.InvariantCulture);

    [Fact]
    public async Task WaitForRouter_InAnotherProcessWhileDetailedJobHolds_ReturnsOnlyAfterTheRelease()
    {
        var detailed = Registry.StartWorker("lock", ["r1", "detailed-1", .. Setting]);
        await detailed.ExpectAsync("acquired");

        var quick = Registry.StartWorker("wait", ["r1", "--timeout", "60", .. Setting]);
        await quick.ExpectAsync("waiting");
        quick.TryReadPrintedLine().Should().BeNull("the router is still held, so the quick job must still be waiting");

        detailed.SendLine("release");
        var releasedAt = Timestamp((await detailed.ExpectAsync("released"))[0]);
        var free = await quick.ExpectAsync("free", s_longTimeout);

        Timestamp(free[1]).Should().BeGreaterThan(releasedAt, "WaitForRouter must not return before the holder starts releasing");
        (await quick.WaitForExitAsync()).Should().Be(0);
        (await detailed.WaitForExitAsync()).Should().Be(0);
    }

    [Fact]
    public async Task WaitForRouter_InAnotherProcessWhileHeldPastItsTimeout_ReportsTimeout()
    {
        var detailed = Registry.StartWorker("lock", ["r1", "detailed-1", .. Setting]);
        await detailed.ExpectAsync("acquired");

        var quick = Registry.StartWorker("wait", ["r1", "--timeout", "0.3", .. Setting]);
        await quick.ExpectAsync("waiting");

        await quick.ExpectAsync("timeout");
        (await quick.WaitForExitAsync()).Should().Be(1);

        detailed.SendLine("release");
        await detailed.ExpectAsync("released");
    }

    [Fact]
    public async Task WaitForRouter_InTestProcessWhileWorkerHolds_TimesOutThenReturnsTrueAfterRelease()
    {
        var detailed = Registry.StartWorker("lock", ["r1", "detailed-1", .. Setting]);
        await detailed.ExpectAsync("acquired");
        var manager = CreateManager();

        // The spec's wait_for_router returns at once while a router is held; this one waits out its timeout.
        manager.IsRouterLocked("r1").Should().BeTrue();
        manager.WaitForRouter("r1", s_shortTimeout).Should().BeFalse();

        var wait = Task.Run(() =>
        {
            var free = manager.WaitForRouter("r1", s_longTimeout);
            return (Free: free, At: Stopwatch.GetTimestamp());
        });

        detailed.SendLine("release");
        var releasedAt = Timestamp((await detailed.ExpectAsync("released"))[0]);
        var result = await wait.WaitAsync(s_longTimeout);

        result.Free.Should().BeTrue();
        result.At.Should().BeGreaterThan(releasedAt);
        manager.IsRouterLocked("r1").Should().BeFalse();
    }

    [Fact]
    public async Task WaitForRouter_QuickJobThenLocks_GetsTheRouterAfterTheDetailedJob()
    {
        var detailed = Registry.StartWorker("lock", ["r1", "detailed-1", .. Setting]);
        await detailed.ExpectAsync("acquired");
        var quick = Registry.StartWorker("wait", ["r1", "--timeout", "60", .. Setting]);
        await quick.ExpectAsync("waiting");

        detailed.SendLine("release");
        await detailed.ExpectAsync("released");
        await quick.ExpectAsync("free", s_longTimeout);

        // What a quick job does next: take the router it waited for.
        var quickLock = Registry.StartWorker("lock", ["r1", "quick-1", "--timeout", "10", .. Setting]);
        await quickLock.ExpectAsync("acquired");
        quickLock.SendLine("release");
        await quickLock.ExpectAsync("released");
    }

    [Fact]
    public async Task WaitForAllRouters_WhileAnotherProcessHoldsSome_TimesOutThenReturnsTrueAfterRelease()
    {
        var detailed = Registry.StartWorker("lock-all", ["r2,r3", "detailed-1", .. Setting]);
        await detailed.ExpectAsync("acquired");
        var manager = CreateManager();

        manager.WaitForAllRouters(["r1", "r2", "r3"], s_shortTimeout).Should().BeFalse();

        var wait = Task.Run(() => manager.WaitForAllRouters(["r3", "r1", "r2"], s_longTimeout));
        detailed.SendLine("release");
        await detailed.ExpectAsync("released");

        (await wait.WaitAsync(s_longTimeout)).Should().BeTrue();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WaitForRouter_InAnotherProcess_WakesFromTheReleaseEvent(bool holderOfTheOtherSetting)
    {
        var holderShared = holderOfTheOtherSetting ? !SharedWithPython : SharedWithPython;
        var detailed = Registry.StartWorker("lock", ["r1", "detailed-1", .. RegistryFixture.SharedWithPythonOptions(holderShared)]);
        await detailed.ExpectAsync("acquired");
        File.Exists(Registry.LockFilePath("router-r1")).Should().Be(holderShared);
        var quick = Registry.StartWorker("wait", ["r1", "--timeout", "30", .. Setting]);
        await quick.ExpectAsync("waiting");

        await Task.Delay(s_hold); // How long the detailed job holds the router; not a synchronisation.
        quick.TryReadPrintedLine().Should().BeNull("the router is still held, so the quick job must still be waiting");
        detailed.SendLine("release");
        var releasedAt = Timestamp((await detailed.ExpectAsync("released"))[0]);
        var free = await quick.ExpectAsync("free", TimeSpan.FromSeconds(10));

        var latency = CrashSafety.CrashSupport.Milliseconds(releasedAt, Timestamp(free[1]));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"release to wake-up in another process: {latency:F1} ms"));
        latency.Should().BePositive("the wait must not return before the release");
        latency.Should().BeLessThan(s_eventDriven.TotalMilliseconds);
        (await quick.WaitForExitAsync()).Should().Be(0);
    }

    [Fact]
    public async Task GetRouterLockOwner_HereWithTheOtherSetting_NamesTheWorker()
    {
        var detailed = Registry.StartWorker("lock", ["r1", "detailed-1", .. Setting]);
        await detailed.ExpectAsync("acquired");
        var otherSetting = CreateManager(otherSetting: true);

        otherSetting.IsRouterLocked("r1").Should().BeTrue();
        var owner = otherSetting.GetRouterLockOwner("r1");
        owner.Should().NotBeNull();
        owner!.JobId.Should().Be("detailed-1");
        owner.Pid.Should().Be(detailed.Pid);
        otherSetting.ListHeldLocks().Should().ContainSingle(l => l.RouterName == "r1" && l.OwnerState == LockOwnerState.Alive && l.Pid == detailed.Pid);
        var act = () => otherSetting.ForceReleaseRouterLock("r1");
        act.Should().Throw<InvalidOperationException>().WithMessage("*alive*");

        detailed.SendLine("release");
        await detailed.ExpectAsync("released");
        otherSetting.GetRouterLockOwner("r1").Should().BeNull();
    }
}
