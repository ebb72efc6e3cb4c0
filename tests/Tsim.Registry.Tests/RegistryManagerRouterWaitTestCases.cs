using System.Diagnostics;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>
/// Waiting for a router, for one setting of <see cref="RegistryManagerOptions.SharedWithPython"/> per concrete
/// subclass (the waiter's; the holder has either setting): the release wakes every waiter through its event, not
/// through the once-a-second fallback re-check. Each test waits through one re-check, and the latency it measures
/// would also count thread-pool starvation by other tests (the synchronous wait completes on a pool thread), so the
/// subclasses run in the serial collection, after the parallel tests.
/// </summary>
public abstract class RegistryManagerRouterWaitTestCases : IDisposable
{
    /// <summary>Only a lost event (or a wait that ignores it) takes this long; the bound of "it woke at all".</summary>
    private static readonly TimeSpan s_eventDeadline = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A wake-up this fast came from the release event: the fallback re-check of WaitForRouter runs once a second,
    /// and the tests below release just after one, so a wait that missed the event would wake about 0.9 s later.
    /// </summary>
    private static readonly TimeSpan s_eventDriven = TimeSpan.FromMilliseconds(500);

    private readonly RegistryTestContext _context = new();

    /// <summary>Gets the setting of the waiting manager (and of the holder, unless a test asks for the other one).</summary>
    protected abstract bool SharedWithPython { get; }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes every manager of the test, unlinks its semaphores and deletes its registry.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _context.Dispose();
        }
    }

    private RegistryManager CreateManager(bool otherSetting = false) =>
        _context.CreateManager(o => o.SharedWithPython = otherSetting ? !SharedWithPython : SharedWithPython);

    /// <summary>
    /// Starts <paramref name="wait"/> on its own thread, lets it wait through one fallback re-check (1 s), then
    /// releases and returns how long after the release the wait returned, and what it returned.
    /// </summary>
    private static (bool Result, TimeSpan Latency) WakeLatency(Func<bool> wait, Func<bool> release)
    {
        var result = false;
        long returnedAt = 0;
        using var returned = new ManualResetEventSlim();
        var waiter = new Thread(() =>
        {
            result = wait();
            returnedAt = Stopwatch.GetTimestamp();
            returned.Set();
        })
        { IsBackground = true };
        waiter.Start();
        returned.Wait(TimeSpan.FromMilliseconds(1100)).Should().BeFalse("the router is held, so the wait must still be waiting");

        var releasedAt = Stopwatch.GetTimestamp();
        release().Should().BeTrue();
        returned.Wait(s_eventDeadline).Should().BeTrue("a release wakes the waiter");
        return (result, Stopwatch.GetElapsedTime(releasedAt, returnedAt));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WaitForRouter_ReleaseByAnotherManager_WakesFromTheEventNotTheFallbackRecheck(bool holderOfTheOtherSetting)
    {
        var holder = CreateManager(otherSetting: holderOfTheOtherSetting);
        var waiter = CreateManager();
        holder.AcquireRouterLock("r1", "warm-up");
        holder.ReleaseRouterLock("r1", "warm-up"); // The notify file exists: its release is a touch (IN_ATTRIB).
        holder.AcquireRouterLock("r1", "holder");

        var (result, latency) = WakeLatency(() => waiter.WaitForRouter("r1", TimeSpan.FromSeconds(30)), () => holder.ReleaseRouterLock("r1", "holder"));

        result.Should().BeTrue();
        latency.Should().BeLessThan(s_eventDriven);
        waiter.IsRouterLocked("r1").Should().BeFalse();
    }

    [Fact]
    public void WaitForRouter_FirstReleaseEver_WakesFromTheCreatedNotifyFile()
    {
        var holder = CreateManager();
        var waiter = CreateManager();
        holder.AcquireRouterLock("r1", "holder");
        File.Exists(_context.NotifyPath("r1")).Should().BeFalse();

        var (result, latency) = WakeLatency(() => waiter.WaitForRouter("r1", TimeSpan.FromSeconds(30)), () => holder.ReleaseRouterLock("r1", "holder"));

        result.Should().BeTrue();
        latency.Should().BeLessThan(s_eventDriven);
    }

    [Fact]
    public void WaitForRouterAsync_ReleaseByAnotherManager_WakesFromTheReleaseEvent()
    {
        var holder = CreateManager();
        var waiter = CreateManager();
        holder.AcquireRouterLock("r1", "holder");

        var (result, latency) = WakeLatency(
            () => waiter.WaitForRouterAsync("r1", TimeSpan.FromSeconds(30)).AsTask().GetAwaiter().GetResult(),
            () => holder.ReleaseRouterLock("r1", "holder"));

        result.Should().BeTrue();
        latency.Should().BeLessThan(s_eventDriven);
    }
}
