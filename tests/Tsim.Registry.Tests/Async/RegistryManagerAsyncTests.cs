using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Async;

/// <summary>
/// The asynchronous router operations against a holder in a second manager (semaphores are process-shared, so two
/// managers in one process behave like two processes).
/// </summary>
public sealed class RegistryManagerAsyncTests : IDisposable
{
    /// <summary>Generous: an event-driven wake-up takes milliseconds; only a lost wake-up takes this long.</summary>
    private static readonly TimeSpan s_eventDeadline = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan s_short = TimeSpan.FromMilliseconds(100);

    private readonly RegistryTestContext _context = new();
    private readonly RegistryManager _manager;
    private readonly RegistryManager _holder;

    public RegistryManagerAsyncTests()
    {
        // A probe interval far beyond s_eventDeadline: a waiter that wakes in time was woken by the release event,
        // not by its periodic re-check.
        _manager = _context.CreateManager(o => o.LockProbeIntervalSeconds = 60);
        _holder = _context.CreateManager();
    }

    public void Dispose() => _context.Dispose();

    // ---- AcquireRouterLockAsync ----

    [Fact]
    public async Task AcquireRouterLockAsync_Free_AcquiresAndRecordsOwner()
    {
        (await _manager.AcquireRouterLockAsync("r1", "job-1")).Should().BeTrue();

        _context.RouterSemaphoreValue("r1").Should().Be(0);
        _holder.GetRouterLockOwner("r1")!.JobId.Should().Be("job-1");
        _manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
    }

    [Fact]
    public async Task AcquireRouterLockAsync_HeldByOtherManager_TimesOutWithFalse()
    {
        _holder.AcquireRouterLock("r1", "holder").Should().BeTrue();

        (await _manager.AcquireRouterLockAsync("r1", "job-1", s_short)).Should().BeFalse();

        _holder.GetRouterLockOwner("r1")!.JobId.Should().Be("holder", "a timed-out waiter changes nothing");
    }

    [Fact]
    public async Task AcquireRouterLockAsync_ZeroTimeoutHeld_IsATryThatCompletesSynchronously()
    {
        _holder.AcquireRouterLock("r1", "holder");

        var task = _manager.AcquireRouterLockAsync("r1", "job-1", TimeSpan.Zero);

        task.IsCompleted.Should().BeTrue("a zero timeout tries once and never waits");
        (await task).Should().BeFalse();
    }

    [Fact]
    public async Task AcquireRouterLockAsync_ZeroTimeoutFree_Acquires()
    {
        var task = _manager.AcquireRouterLockAsync("r1", "job-1", TimeSpan.Zero);

        task.IsCompleted.Should().BeTrue();
        (await task).Should().BeTrue();
        _context.RouterSemaphoreValue("r1").Should().Be(0);
    }

    [Fact]
    public async Task AcquireRouterLockAsync_ReleasedByOtherManager_WakesWaiterByEvent()
    {
        _holder.AcquireRouterLock("r1", "holder");
        var waiter = _manager.AcquireRouterLockAsync("r1", "job-1", Timeout.InfiniteTimeSpan).AsTask();
        waiter.IsCompleted.Should().BeFalse("the router is held");

        _holder.ReleaseRouterLock("r1", "holder").Should().BeTrue();

        (await waiter.WaitAsync(s_eventDeadline)).Should().BeTrue();
        _holder.GetRouterLockOwner("r1")!.JobId.Should().Be("job-1");
    }

    [Fact]
    public async Task AcquireRouterLockAsync_PythonHolderPostsAndTouchesNotify_WakesWaiter()
    {
        var python = _context.OpenSemaphore(_context.RouterLockName("r1"));
        python.TryWait().Should().BeTrue();
        var waiter = _manager.AcquireRouterLockAsync("r1", "job-1", Timeout.InfiniteTimeSpan).AsTask();
        waiter.IsCompleted.Should().BeFalse();

        // What the Python implementation does on release: post, then touch router_NAME_notify.
        python.Post();
        await File.WriteAllTextAsync(_context.NotifyPath("r1"), string.Empty);

        (await waiter.WaitAsync(s_eventDeadline)).Should().BeTrue();
    }

    [Fact]
    public async Task AcquireRouterLockAsync_TwoWaitersOneRelease_ExactlyOneAcquires()
    {
        _holder.AcquireRouterLock("r1", "holder");
        var first = _manager.AcquireRouterLockAsync("r1", "job-1", Timeout.InfiniteTimeSpan).AsTask();
        var second = _manager.AcquireRouterLockAsync("r1", "job-2", Timeout.InfiniteTimeSpan).AsTask();

        _holder.ReleaseRouterLock("r1", "holder");
        var winner = await Task.WhenAny(first, second).WaitAsync(s_eventDeadline);

        (await winner).Should().BeTrue();
        var loser = winner == first ? second : first;
        loser.IsCompleted.Should().BeFalse("one release lets exactly one waiter in");
        _context.RouterSemaphoreValue("r1").Should().Be(0);

        // The winner's release wakes the loser.
        _manager.ReleaseRouterLock("r1", winner == first ? "job-1" : "job-2").Should().BeTrue();
        (await loser.WaitAsync(s_eventDeadline)).Should().BeTrue();
    }

    [Fact]
    public async Task AcquireRouterLockAsync_AlreadyCancelled_ThrowsAndHoldsNothing()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var act = async () => await _manager.AcquireRouterLockAsync("r1", "job-1", cancellationToken: cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        _context.RouterSemaphoreValue("r1").Should().NotBe(0);
        _manager.ListHeldLocks().Should().BeEmpty();
    }

    [Fact]
    public async Task AcquireRouterLockAsync_CancelledWhileWaiting_ThrowsAndHoldsNothing()
    {
        _holder.AcquireRouterLock("r1", "holder");
        using var cts = new CancellationTokenSource();
        var waiter = _manager.AcquireRouterLockAsync("r1", "job-1", Timeout.InfiniteTimeSpan, cts.Token).AsTask();

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => waiter.WaitAsync(s_eventDeadline)).Should().ThrowAsync<OperationCanceledException>();
        _holder.ReleaseRouterLock("r1", "holder");
        _context.RouterSemaphoreValue("r1").Should().Be(1, "the cancelled waiter took nothing, even after the release");
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
    }

    [Fact]
    public async Task AcquireRouterLockAsync_SameJobTwice_ThrowsLockRecursion()
    {
        (await _manager.AcquireRouterLockAsync("r1", "job-1")).Should().BeTrue();

        var act = async () => await _manager.AcquireRouterLockAsync("r1", "job-1", TimeSpan.Zero);

        await act.Should().ThrowAsync<LockRecursionException>().WithMessage("*job-1*r1*");
    }

    [Fact]
    public async Task AcquireRouterLockAsync_SortsBeforeHeldRouter_ThrowsLockOrder()
    {
        (await _manager.AcquireRouterLockAsync("r2", "job-1")).Should().BeTrue();

        var act = async () => await _manager.AcquireRouterLockAsync("r1", "job-1", TimeSpan.Zero);

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*sorts before*");
        _context.RouterSemaphoreValue("r1").Should().Be(-1, "nothing is touched before the order check");
    }

    [Fact]
    public async Task AcquireRouterLockAsync_SortsAfterHeldRouter_Acquires()
    {
        (await _manager.AcquireRouterLockAsync("r1", "job-1")).Should().BeTrue();

        (await _manager.AcquireRouterLockAsync("r2", "job-1")).Should().BeTrue();
    }

    [Fact]
    public async Task AcquireRouterLockAsync_InvalidArguments_ThrowWithParameterName()
    {
        await FluentActions.Awaiting(async () => await _manager.AcquireRouterLockAsync("a/b", "job-1"))
            .Should().ThrowAsync<ArgumentException>().WithParameterName("routerName");
        await FluentActions.Awaiting(async () => await _manager.AcquireRouterLockAsync("r1", "job-1", TimeSpan.FromSeconds(-2)))
            .Should().ThrowAsync<ArgumentOutOfRangeException>().WithParameterName("timeout");
    }

    [Fact]
    public async Task AcquireRouterLockAsync_ManagerDisposed_ThrowsObjectDisposed()
    {
        _manager.Dispose();

        var act = async () => await _manager.AcquireRouterLockAsync("r1", "job-1");

        await act.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task AcquireRouterLockAsync_ManagerDisposedWhileWaiting_FaultsAndNeverHolds()
    {
        _holder.AcquireRouterLock("r1", "holder");
        var waiter = _manager.AcquireRouterLockAsync("r1", "job-1", Timeout.InfiniteTimeSpan).AsTask();

        _manager.Dispose();

        await FluentActions.Awaiting(() => waiter.WaitAsync(s_eventDeadline)).Should().ThrowAsync<ObjectDisposedException>();
        _holder.ReleaseRouterLock("r1", "holder");
        _context.RouterSemaphoreValue("r1").Should().Be(1, "a disposed manager must not take the lock afterwards");
    }

    // ---- AcquireAllRouterLocksAtomicAsync ----

    [Fact]
    public async Task AcquireAllRouterLocksAtomicAsync_AllFree_AcquiresAll()
    {
        (await _manager.AcquireAllRouterLocksAtomicAsync(["r3", "r1", "r2"], "job-1")).Should().BeTrue();

        foreach (var router in (string[])["r1", "r2", "r3"])
        {
            _context.RouterSemaphoreValue(router).Should().Be(0);
            _holder.GetRouterLockOwner(router)!.JobId.Should().Be("job-1");
        }
    }

    [Fact]
    public async Task AcquireAllRouterLocksAtomicAsync_OneHeld_TimesOutAndReleasesWhatItTook()
    {
        _holder.AcquireRouterLock("r2", "holder");

        (await _manager.AcquireAllRouterLocksAtomicAsync(["r1", "r2", "r3"], "job-1", s_short)).Should().BeFalse();

        _context.RouterSemaphoreValue("r1").Should().Be(1, "all or nothing: r1 was taken, then given back");
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        _context.RouterSemaphoreValue("r2").Should().Be(0, "still the holder's");
        _context.RouterSemaphoreValue("r3").Should().Be(-1, "never reached");
        _manager.ListHeldLocks().Should().OnlyContain(l => l.JobId == "holder", "job-1 holds nothing");
    }

    [Fact]
    public async Task AcquireAllRouterLocksAtomicAsync_CancelledMidway_ReleasesWhatItTook()
    {
        _holder.AcquireRouterLock("r2", "holder");
        using var cts = new CancellationTokenSource();

        // r1 is free, so it is taken before the first await; the call then waits for r2.
        var waiter = _manager.AcquireAllRouterLocksAtomicAsync(["r1", "r2"], "job-1", Timeout.InfiniteTimeSpan, cts.Token).AsTask();
        waiter.IsCompleted.Should().BeFalse();
        _context.RouterSemaphoreValue("r1").Should().Be(0, "r1 is held while r2 is awaited");

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => waiter.WaitAsync(s_eventDeadline)).Should().ThrowAsync<OperationCanceledException>();
        _context.RouterSemaphoreValue("r1").Should().Be(1, "cancellation releases the locks taken so far");
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        _manager.ListHeldLocks().Should().OnlyContain(l => l.JobId == "holder", "job-1 holds nothing");
        (await _manager.AcquireRouterLockAsync("r1", "job-1", TimeSpan.Zero)).Should().BeTrue("the job holds nothing, so no recursion");
    }

    [Fact]
    public async Task AcquireAllRouterLocksAtomicAsync_LastReleased_WakesAndTakesAll()
    {
        _holder.AcquireRouterLock("r2", "holder");
        var waiter = _manager.AcquireAllRouterLocksAtomicAsync(["r1", "r2"], "job-1", Timeout.InfiniteTimeSpan).AsTask();

        _holder.ReleaseRouterLock("r2", "holder");

        (await waiter.WaitAsync(s_eventDeadline)).Should().BeTrue();
        _holder.GetRouterLockOwner("r1")!.JobId.Should().Be("job-1");
        _holder.GetRouterLockOwner("r2")!.JobId.Should().Be("job-1");
    }

    [Fact]
    public async Task AcquireAllRouterLocksAtomicAsync_HoldsLaterRouter_ThrowsLockOrderAndTakesNothing()
    {
        (await _manager.AcquireRouterLockAsync("r5", "job-1")).Should().BeTrue();

        var act = async () => await _manager.AcquireAllRouterLocksAtomicAsync(["r1", "r2"], "job-1", TimeSpan.Zero);

        await act.Should().ThrowAsync<InvalidOperationException>();
        _context.RouterSemaphoreValue("r1").Should().Be(-1);
    }

    [Fact]
    public async Task AcquireAllRouterLocksAtomicAsync_IncludesHeldRouter_ThrowsLockRecursion()
    {
        (await _manager.AcquireRouterLockAsync("r1", "job-1")).Should().BeTrue();

        var act = async () => await _manager.AcquireAllRouterLocksAtomicAsync(["r1", "r2"], "job-1", TimeSpan.Zero);

        await act.Should().ThrowAsync<LockRecursionException>();
    }

    [Fact]
    public async Task AcquireAllRouterLocksAtomicAsync_EmptyList_ThrowsArgumentException()
    {
        var act = async () => await _manager.AcquireAllRouterLocksAtomicAsync([], "job-1");

        await act.Should().ThrowAsync<ArgumentException>().WithParameterName("routerNames");
    }

    // ---- RouterLockAsync / AllRouterLocksAsync (IAsyncDisposable scopes) ----

    [Fact]
    public async Task RouterLockAsync_AwaitUsing_HoldsInsideAndReleasesAfter()
    {
        await using (var scope = await _manager.RouterLockAsync("r1", "job-1"))
        {
            scope.RouterNames.Should().Equal("r1");
            scope.JobId.Should().Be("job-1");
            _context.RouterSemaphoreValue("r1").Should().Be(0);
        }

        _context.RouterSemaphoreValue("r1").Should().Be(1);
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        File.Exists(_context.NotifyPath("r1")).Should().BeTrue("the release touches the notify file");
    }

    [Fact]
    public async Task RouterLockAsync_ScopeReleased_WakesAsyncWaiterOfOtherManager()
    {
        var releasing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scope = await _holder.RouterLockAsync("r1", "holder");
        var waiter = WaitThenReport();
        waiter.IsCompleted.Should().BeFalse("the router is held by the scope");

        releasing.SetResult();
        await scope.DisposeAsync();

        var (acquired, afterRelease) = await waiter.WaitAsync(s_eventDeadline);
        acquired.Should().BeTrue();
        afterRelease.Should().BeTrue("the waiter gets in only once the scope is disposed");

        async Task<(bool Acquired, bool AfterRelease)> WaitThenReport()
        {
            await using var held = await _manager.RouterLockAsync("r1", "job-1", Timeout.InfiniteTimeSpan);
            return (held.RouterNames.Count == 1, releasing.Task.IsCompleted);
        }
    }

    [Fact]
    public async Task RouterLockAsync_Held_ThrowsTimeoutExceptionNamingRouter()
    {
        _holder.AcquireRouterLock("r1", "holder");

        var act = async () => await _manager.RouterLockAsync("r1", "job-1", s_short);

        var thrown = await act.Should().ThrowAsync<RegistryLockTimeoutException>().WithMessage("*r1*");
        thrown.Which.Timeout.Should().Be(s_short);
    }

    [Fact]
    public async Task RouterLockAsync_Cancelled_ThrowsOperationCanceled()
    {
        _holder.AcquireRouterLock("r1", "holder");
        using var cts = new CancellationTokenSource();
        var waiter = _manager.RouterLockAsync("r1", "job-1", Timeout.InfiniteTimeSpan, cts.Token).AsTask();

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => waiter.WaitAsync(s_eventDeadline)).Should().ThrowAsync<OperationCanceledException>();
        _manager.ListHeldLocks().Should().OnlyContain(l => l.JobId == "holder", "job-1 holds nothing");
    }

    [Fact]
    public async Task AllRouterLocksAsync_AwaitUsing_HoldsAllSortedAndReleasesAll()
    {
        await using (var scope = await _manager.AllRouterLocksAsync(["r2", "r1", "r2"], "job-1"))
        {
            scope.RouterNames.Should().Equal("r1", "r2");
            _context.RouterSemaphoreValue("r1").Should().Be(0);
            _context.RouterSemaphoreValue("r2").Should().Be(0);
        }

        _context.RouterSemaphoreValue("r1").Should().Be(1);
        _context.RouterSemaphoreValue("r2").Should().Be(1);
    }

    [Fact]
    public async Task AllRouterLocksAsync_OneHeld_ThrowsTimeoutAndHoldsNone()
    {
        _holder.AcquireRouterLock("r2", "holder");

        var act = async () => await _manager.AllRouterLocksAsync(["r1", "r2"], "job-1", s_short);

        (await act.Should().ThrowAsync<RegistryLockTimeoutException>()).Which.Message.Should().Contain("r2");
        _context.RouterSemaphoreValue("r1").Should().Be(1);
        _manager.ListHeldLocks().Should().OnlyContain(l => l.JobId == "holder", "job-1 holds nothing");
    }

    [Fact]
    public async Task RouterLockAsync_ScopeDisposedTwice_ReleasesOnce()
    {
        var scope = await _manager.RouterLockAsync("r1", "job-1");
        await scope.DisposeAsync();
        (await _manager.AcquireRouterLockAsync("r1", "job-2", TimeSpan.Zero)).Should().BeTrue();

        await scope.DisposeAsync();

        _context.RouterSemaphoreValue("r1").Should().Be(0, "the second dispose must not release job-2's hold");
    }

    // ---- WaitForRouterAsync / WaitForAllRoutersAsync ----

    [Fact]
    public async Task WaitForRouterAsync_FreeOrNeverUsed_ReturnsTrueAtOnce()
    {
        var neverUsed = _manager.WaitForRouterAsync("r1", TimeSpan.Zero);
        neverUsed.IsCompleted.Should().BeTrue();
        (await neverUsed).Should().BeTrue();
        _context.SemaphoreFiles().Should().BeEmpty("waiting must not create the semaphore");
    }

    [Fact]
    public async Task WaitForRouterAsync_Held_TimesOutWithFalseAndAcquiresNothing()
    {
        _holder.AcquireRouterLock("r1", "holder");

        (await _manager.WaitForRouterAsync("r1", s_short)).Should().BeFalse();
        (await _manager.WaitForRouterAsync("r1", TimeSpan.Zero)).Should().BeFalse();

        _holder.GetRouterLockOwner("r1")!.JobId.Should().Be("holder");
    }

    [Fact]
    public async Task WaitForRouterAsync_Released_WakesWithoutAcquiring()
    {
        _holder.AcquireRouterLock("r1", "holder");
        var waiter = _manager.WaitForRouterAsync("r1", Timeout.InfiniteTimeSpan).AsTask();
        waiter.IsCompleted.Should().BeFalse();

        _holder.ReleaseRouterLock("r1", "holder");

        (await waiter.WaitAsync(s_eventDeadline)).Should().BeTrue();
        _context.RouterSemaphoreValue("r1").Should().Be(1, "waiting does not acquire");
    }

    [Fact]
    public async Task WaitForRouterAsync_Cancelled_ThrowsOperationCanceled()
    {
        _holder.AcquireRouterLock("r1", "holder");
        using var cts = new CancellationTokenSource();
        var waiter = _manager.WaitForRouterAsync("r1", Timeout.InfiniteTimeSpan, cts.Token).AsTask();

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => waiter.WaitAsync(s_eventDeadline)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task WaitForAllRoutersAsync_AllReleased_ReturnsTrue()
    {
        _holder.AcquireAllRouterLocksAtomic(["r1", "r2"], "holder");
        var waiter = _manager.WaitForAllRoutersAsync(["r2", "r1"], Timeout.InfiniteTimeSpan).AsTask();
        waiter.IsCompleted.Should().BeFalse();

        _holder.ReleaseAllRouterLocks(["r1", "r2"], "holder").Should().Be(2);

        (await waiter.WaitAsync(s_eventDeadline)).Should().BeTrue();
    }

    [Fact]
    public async Task WaitForAllRoutersAsync_OneStaysHeld_ReturnsFalseWithinTotalTimeout()
    {
        _holder.AcquireRouterLock("r2", "holder");

        (await _manager.WaitForAllRoutersAsync(["r1", "r2"], s_short)).Should().BeFalse();
    }

    [Fact]
    public async Task WaitForAllRoutersAsync_Cancelled_ThrowsOperationCanceled()
    {
        _holder.AcquireRouterLock("r2", "holder");
        using var cts = new CancellationTokenSource();
        var waiter = _manager.WaitForAllRoutersAsync(["r1", "r2"], Timeout.InfiniteTimeSpan, cts.Token).AsTask();

        await cts.CancelAsync();

        await FluentActions.Awaiting(() => waiter.WaitAsync(s_eventDeadline)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task WaitForAllRoutersAsync_EmptyList_ThrowsArgumentException()
    {
        var act = async () => await _manager.WaitForAllRoutersAsync([]);

        await act.Should().ThrowAsync<ArgumentException>().WithParameterName("routerNames");
    }
}
