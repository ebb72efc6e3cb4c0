using System.Globalization;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.Locking;

/// <summary>
/// <c>shared_with_python = false</c> across processes: a quick job waiting in one process wakes from the detailed
/// job's release in another through the notify file's event, with holder and waiter of either setting.
/// </summary>
public sealed class NotSharedWaitForRouterTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>
    /// The release comes this long after the waiter started, just past its first once-a-second fallback re-check:
    /// a waiter that missed the release event would wake about 0.9 s after the release, one woken by it at once.
    /// </summary>
    private static readonly TimeSpan s_hold = TimeSpan.FromMilliseconds(1100);

    private static readonly TimeSpan s_eventDriven = TimeSpan.FromMilliseconds(500);

    private readonly RegistryFixture _registry = new();

    public void Dispose() => _registry.Dispose();

    private static string[] Setting(bool notShared) => notShared ? ["--no-shared-with-python"] : [];

    private static long Timestamp(string token) => long.Parse(token, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task WaitForRouter_InAnotherProcess_WakesFromTheReleaseEvent(bool holderNotShared, bool waiterNotShared)
    {
        var detailed = _registry.StartWorker("lock", ["r1", "detailed-1", .. Setting(holderNotShared)]);
        await detailed.ExpectAsync("acquired");
        File.Exists(Path.Combine(_registry.Directory, "locks", $"{_registry.Prefix}-router-r1")).Should().Be(!holderNotShared);
        var quick = _registry.StartWorker("wait", ["r1", "--timeout", "30", .. Setting(waiterNotShared)]);
        await quick.ExpectAsync("waiting");

        await Task.Delay(s_hold); // How long the detailed job holds the router; not a synchronisation.
        quick.TryReadPrintedLine().Should().BeNull("the router is still held, so the quick job must still be waiting");
        detailed.SendLine("release");
        var releasedAt = Timestamp((await detailed.ExpectAsync("released"))[0]);
        var free = await quick.ExpectAsync("free", TimeSpan.FromSeconds(10));

        var latency = CrashSafety.CrashSupport.Milliseconds(releasedAt, Timestamp(free[1]));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"release to wake-up in another process: {latency:F1} ms"));
        latency.Should().BePositive("the wait must not return before the release");
        latency.Should().BeLessThan(s_eventDriven.TotalMilliseconds);
        (await quick.WaitForExitAsync()).Should().Be(0);
    }

    [Fact]
    public async Task GetRouterLockOwner_HereWithTheOtherSetting_NamesTheWorker()
    {
        var detailed = _registry.StartWorker("lock", "r1", "detailed-1", "--no-shared-with-python");
        await detailed.ExpectAsync("acquired");
        using var shared = _registry.CreateManager();

        shared.IsRouterLocked("r1").Should().BeTrue();
        var owner = shared.GetRouterLockOwner("r1");
        owner.Should().NotBeNull();
        owner!.JobId.Should().Be("detailed-1");
        owner.Pid.Should().Be(detailed.Pid);
        shared.ListHeldLocks().Should().ContainSingle(l => l.RouterName == "r1" && l.OwnerState == LockOwnerState.Alive && l.Pid == detailed.Pid);
        var act = () => shared.ForceReleaseRouterLock("r1");
        act.Should().Throw<InvalidOperationException>().WithMessage("*alive*");

        detailed.SendLine("release");
        await detailed.ExpectAsync("released");
        shared.GetRouterLockOwner("r1").Should().BeNull();
    }
}
