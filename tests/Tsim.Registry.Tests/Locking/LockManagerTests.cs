using Microsoft.Extensions.Time.Testing;
using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

public sealed class LockManagerTests : IDisposable
{
    private static readonly LockTimeout s_short = LockTimeout.FromSeconds(0.1);

    private readonly RegistryTestContext _context = new();

    public LockManagerTests() => _context.EnsureDirectories();

    public void Dispose() => _context.Dispose();

    private LockManager CreateLockManager(TimeProvider? timeProvider = null) => _context.CreateLockManager(timeProvider);

    private LockName Router(string name) => LockName.Router(_context.Prefix, name);

    [Fact]
    public void TryAcquire_Router_WritesOwnerRecordOfThisProcessAndJob()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 14, 43, 11, TimeSpan.Zero));
        var locks = CreateLockManager(time);

        locks.TryAcquire(Router("r1"), "job-1", s_short).Should().BeTrue();

        var record = locks.Records.Read(Router("r1"));
        record.Should().NotBeNull();
        record!.Lock.Should().Be(_context.RouterLockName("r1"));
        record.JobId.Should().Be("job-1");
        record.Pid.Should().Be(Environment.ProcessId);
        record.StartTime.Should().Be(ProcessIdentity.Current.StartTime);
        record.AcquiredAt.Should().Be(time.GetUtcNow());
        locks.GetValue(Router("r1")).Should().Be(0);
        locks.FindHeld(Router("r1")).Should().Be(new HeldLock(Router("r1"), "job-1", time.GetUtcNow()));
    }

    [Fact]
    public void TryAcquire_RegistryLock_WritesOwnerRecordUntilReleased()
    {
        var locks = CreateLockManager();
        var name = LockName.HostsRegistry(_context.Prefix);

        locks.TryAcquire(name, "registry", s_short).Should().BeTrue();

        // Registry locks carry an owner record too, so that a holder killed mid-write can be recovered. It lives in
        // the lock's mapped slot file, not in a file of the lock's name (no compatibility contract to keep).
        RegistryTestContext.SlotRecord(_context.SlotPath(name.Value)).Should().Contain($"\"pid\":{Environment.ProcessId}").And.Contain("\"job_id\":\"registry\"");
        File.Exists(Path.Combine(_context.LockDirectory, name.Value)).Should().BeFalse();
        RegistryTestContext.SemaphoreValue(_context.HostsLockName).Should().Be(0);

        locks.Release(name, "registry").Should().BeTrue();
        RegistryTestContext.SlotRecord(_context.SlotPath(name.Value)).Should().BeNull();
    }

    [Fact]
    public void Release_Holder_DeletesRecordPostsAndTouchesNotify()
    {
        var locks = CreateLockManager();
        locks.TryAcquire(Router("r1"), "job-1", s_short);

        locks.Release(Router("r1"), "job-1").Should().BeTrue();

        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        File.Exists(_context.NotifyPath("r1")).Should().BeTrue();
        _context.RouterSemaphoreValue("r1").Should().Be(1);
        locks.HeldLocks.Should().BeEmpty();
    }

    [Fact]
    public void Release_OtherJob_ReturnsFalseAndKeepsLock()
    {
        var locks = CreateLockManager();
        locks.TryAcquire(Router("r1"), "job-1", s_short);

        locks.Release(Router("r1"), "job-2").Should().BeFalse();

        _context.RouterSemaphoreValue("r1").Should().Be(0);
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeTrue();
        locks.FindHeld(Router("r1"))!.JobId.Should().Be("job-1");
    }

    [Fact]
    public void Release_OtherLockManager_ReturnsFalseAndPostsNothing()
    {
        var holder = CreateLockManager();
        var stranger = CreateLockManager();
        holder.TryAcquire(Router("r1"), "job-1", s_short);

        stranger.Release(Router("r1"), "job-1").Should().BeFalse();

        _context.RouterSemaphoreValue("r1").Should().Be(0);
        stranger.TryAcquire(Router("r1"), "job-2", LockTimeout.Zero).Should().BeFalse();
    }

    [Fact]
    public void Release_NeverAcquired_ReturnsFalseAndCreatesNothing()
    {
        var locks = CreateLockManager();

        locks.Release(Router("r1"), "job-1").Should().BeFalse();

        _context.SemaphoreFiles().Should().BeEmpty();
    }

    [Fact]
    public void GetValue_NeverCreated_ReturnsMinusOneWithoutCreating()
    {
        var locks = CreateLockManager();

        locks.GetValue(Router("nobody")).Should().Be(-1);

        _context.SemaphoreFiles().Should().BeEmpty();
    }

    [Fact]
    public void TryAcquire_HeldByOtherLockManager_TimesOut()
    {
        var holder = CreateLockManager();
        var other = CreateLockManager();
        holder.TryAcquire(Router("r1"), "job-1", s_short);

        other.TryAcquire(Router("r1"), "job-2", s_short).Should().BeFalse();

        other.HeldLocks.Should().BeEmpty();
        other.Records.Read(Router("r1"))!.JobId.Should().Be("job-1");
    }

    [Fact]
    public void TryAcquire_SameRouterTwiceForJob_ThrowsLockRecursion()
    {
        var locks = CreateLockManager();
        locks.TryAcquire(Router("r1"), "job-1", s_short);

        var act = () => locks.TryAcquire(Router("r1"), "job-1", s_short);

        act.Should().Throw<LockRecursionException>().WithMessage("Job 'job-1' already holds the lock of router 'r1'*");
        _context.RouterSemaphoreValue("r1").Should().Be(0);
    }

    [Fact]
    public void TryAcquire_RouterSortingBeforeHeldOne_ThrowsNamingBoth()
    {
        var locks = CreateLockManager();
        locks.TryAcquire(Router("r2"), "job-1", s_short);

        var act = () => locks.TryAcquire(Router("r1"), "job-1", s_short);

        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"Job 'job-1' holds router lock '{_context.RouterLockName("r2")}' and asks for '{_context.RouterLockName("r1")}', which sorts before it.*");
        _context.RouterSemaphoreValue("r1").Should().Be(-1, "nothing may be touched before the order check");
    }

    [Fact]
    public void TryAcquire_RouterSortingAfterHeldOne_Succeeds()
    {
        var locks = CreateLockManager();
        locks.TryAcquire(Router("r1"), "job-1", s_short);

        locks.TryAcquire(Router("r2"), "job-1", s_short).Should().BeTrue();

        locks.HeldLocks.Select(h => h.Name.Value).Should().BeEquivalentTo(_context.RouterLockName("r1"), _context.RouterLockName("r2"));
    }

    [Fact]
    public void TryAcquire_LowerRouterForAnotherJob_IsNotRestricted()
    {
        var locks = CreateLockManager();
        locks.TryAcquire(Router("r2"), "job-1", s_short);

        locks.TryAcquire(Router("r1"), "job-2", s_short).Should().BeTrue();
    }

    [Fact]
    public void TryAcquire_RegistryLockWhileHoldingRouters_IsNotRestricted()
    {
        var locks = CreateLockManager();
        locks.TryAcquire(Router("r2"), "job-1", s_short);

        locks.TryAcquire(LockName.HostLeases(_context.Prefix), "job-1", s_short).Should().BeTrue();
        locks.Release(LockName.HostLeases(_context.Prefix), "job-1").Should().BeTrue();
    }

    [Fact]
    public void TryAcquireAll_OneHeldElsewhere_ReleasesThoseTakenAndReturnsFalse()
    {
        var holder = CreateLockManager();
        var locks = CreateLockManager();
        holder.TryAcquire(Router("r2"), "other", s_short);

        locks.TryAcquireAll([Router("r1"), Router("r2"), Router("r3")], "job-1", s_short).Should().BeFalse();

        locks.HeldLocks.Should().BeEmpty();
        _context.RouterSemaphoreValue("r1").Should().Be(1);
        _context.RouterSemaphoreValue("r2").Should().Be(0);
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        File.Exists(_context.OwnerRecordPath("r3")).Should().BeFalse();
        holder.Records.Read(Router("r2"))!.JobId.Should().Be("other");
    }

    [Fact]
    public void TryAcquireAll_AllFree_HoldsAll()
    {
        var locks = CreateLockManager();

        locks.TryAcquireAll([Router("r1"), Router("r2")], "job-1", s_short).Should().BeTrue();

        locks.HeldLocks.Should().HaveCount(2);
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeTrue();
        File.Exists(_context.OwnerRecordPath("r2")).Should().BeTrue();
    }

    [Fact]
    public void Dispose_HoldingRouters_ReleasesEveryOne()
    {
        var locks = CreateLockManager();
        locks.TryAcquire(Router("r1"), "job-1", s_short);
        locks.TryAcquire(Router("r2"), "job-2", s_short);

        locks.Dispose();
        locks.Dispose();

        _context.RouterSemaphoreValue("r1").Should().Be(1);
        _context.RouterSemaphoreValue("r2").Should().Be(1);
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        File.Exists(_context.NotifyPath("r1")).Should().BeTrue();
        locks.IsClosed.Should().BeTrue("nothing was in flight any more");
    }

    [Fact]
    public async Task Dispose_RegistryLockHeldByACallInFlight_WaitsForItsReleaseAndNeverPostsIt()
    {
        var locks = CreateLockManager();
        var name = LockName.HostsRegistry(_context.Prefix);
        locks.TryAcquire(Router("r1"), "job-1", s_short);
        var hold = locks.AcquireRegistryLock(name, s_short);

        var dispose = Task.Factory.StartNew(locks.Dispose, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        SpinWait.SpinUntil(() => _context.RouterSemaphoreValue("r1") == 1 || dispose.IsCompleted, TimeSpan.FromSeconds(30));

        // Dispose has released the router and now waits for the call holding the registry lock.
        dispose.IsCompleted.Should().BeFalse("Dispose waits for the registry lock's call to end");
        RegistryTestContext.SemaphoreValue(_context.HostsLockName).Should().Be(0, "Dispose must not post under the call's write");
        locks.IsClosed.Should().BeFalse();
        var acquireDuringDispose = () => locks.TryAcquire(LockName.HostLeases(_context.Prefix), "registry", s_short);
        acquireDuringDispose.Should().Throw<ObjectDisposedException>();

        hold.Dispose();
        await dispose.WaitAsync(TimeSpan.FromSeconds(30));

        RegistryTestContext.SemaphoreValue(_context.HostsLockName).Should().Be(1);
        RegistryTestContext.SlotRecord(_context.SlotPath(name.Value)).Should().BeNull();
        locks.IsClosed.Should().BeTrue();
    }

    [Fact]
    public void Dispose_RegistryLockHeldPastTheGrace_ReturnsWithoutPostingAndTheLateReleaseStillReleases()
    {
        var locks = _context.CreateLockManager(disposeGrace: TimeSpan.FromMilliseconds(50));
        var name = LockName.HostsRegistry(_context.Prefix);
        var hold = locks.AcquireRegistryLock(name, s_short);

        locks.Dispose();

        RegistryTestContext.SemaphoreValue(_context.HostsLockName).Should().Be(0, "a hold past the grace is left to its call");
        locks.IsClosed.Should().BeFalse("the late call still needs the semaphore and its slot");

        hold.Dispose();

        RegistryTestContext.SemaphoreValue(_context.HostsLockName).Should().Be(1);
        RegistryTestContext.SlotRecord(_context.SlotPath(name.Value)).Should().BeNull();
        locks.IsClosed.Should().BeTrue("the last operation in flight closes");
    }

    [Fact]
    public void Release_RouterAfterDispose_ReturnsFalseAndPostsNothingMore()
    {
        var locks = CreateLockManager();
        locks.TryAcquire(Router("r1"), "job-1", s_short);
        locks.Dispose();

        locks.Release(Router("r1"), "job-1").Should().BeFalse();

        _context.RouterSemaphoreValue("r1").Should().Be(1);
    }

    [Fact]
    public void TryAcquire_ZeroTimeoutDeadOwnerRecorded_RecoversAndAcquires()
    {
        var locks = CreateLockManager();
        using var semaphore = _context.OpenSemaphore(_context.RouterLockName("r1"));
        semaphore.TryWait().Should().BeTrue();
        WriteDeadOwnerRecord(locks, "r1");

        locks.TryAcquire(Router("r1"), "job-1", LockTimeout.Zero).Should().BeTrue();

        locks.Records.Read(Router("r1"))!.JobId.Should().Be("job-1");
    }

    [Fact]
    public async Task TryAcquireAsync_ZeroTimeoutDeadOwnerRecorded_RecoversAndAcquiresLikeTheSynchronousWait()
    {
        var locks = CreateLockManager();
        using var semaphore = _context.OpenSemaphore(_context.RouterLockName("r1"));
        semaphore.TryWait().Should().BeTrue();
        WriteDeadOwnerRecord(locks, "r1");

        (await locks.TryAcquireAsync(Router("r1"), "job-1", LockTimeout.Zero, CancellationToken.None)).Should().BeTrue();

        locks.Records.Read(Router("r1"))!.JobId.Should().Be("job-1");
    }

    [Fact]
    public async Task TryAcquireAsync_HeldElsewhereThenReleased_WakesAndAcquires()
    {
        var holder = CreateLockManager();
        var locks = CreateLockManager();
        holder.TryAcquire(Router("r1"), "job-1", s_short).Should().BeTrue();

        var waiting = locks.TryAcquireAsync(Router("r1"), "job-2", LockTimeout.FromSeconds(30), CancellationToken.None).AsTask();
        waiting.IsCompleted.Should().BeFalse();
        holder.Release(Router("r1"), "job-1");

        (await waiting.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue();
        locks.FindHeld(Router("r1"))!.JobId.Should().Be("job-2");
    }

    [Fact]
    public async Task TryAcquireAsync_Cancelled_ThrowsAndHoldsNothing()
    {
        var holder = CreateLockManager();
        var locks = CreateLockManager();
        holder.TryAcquire(Router("r1"), "job-1", s_short).Should().BeTrue();
        using var cancellation = new CancellationTokenSource();

        var waiting = locks.TryAcquireAsync(Router("r1"), "job-2", LockTimeout.Infinite, cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await waiting.Invoking(w => w.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<OperationCanceledException>();
        locks.HeldLocks.Should().BeEmpty();
        _context.RouterSemaphoreValue("r1").Should().Be(0);
    }

    [Fact]
    public async Task Dispose_WhileAnAsyncWaiterWaits_TheWaiterGivesUpWithObjectDisposed()
    {
        var holder = CreateLockManager();
        var locks = CreateLockManager();
        holder.TryAcquire(Router("r1"), "job-1", s_short).Should().BeTrue();
        var waiting = locks.TryAcquireAsync(Router("r1"), "job-2", LockTimeout.Infinite, CancellationToken.None).AsTask();

        locks.Dispose();

        await waiting.Invoking(w => w.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<ObjectDisposedException>();
        _context.RouterSemaphoreValue("r1").Should().Be(0, "the holder still holds it");
        SpinWait.SpinUntil(() => locks.IsClosed, TimeSpan.FromSeconds(30)).Should().BeTrue("the waiter was the last in flight");
    }

    [Fact]
    public void ForceRelease_HeldWithoutRecord_PostsAndTouchesNotify()
    {
        var locks = CreateLockManager();
        using var semaphore = _context.OpenSemaphore(_context.RouterLockName("r1"));
        semaphore.TryWait().Should().BeTrue();

        locks.ForceRelease(Router("r1")).Should().BeTrue();

        _context.RouterSemaphoreValue("r1").Should().Be(1);
        File.Exists(_context.NotifyPath("r1")).Should().BeTrue();
    }

    [Fact]
    public void TryAcquire_AfterDispose_ThrowsObjectDisposed()
    {
        var locks = CreateLockManager();
        locks.Dispose();

        var act = () => locks.TryAcquire(Router("r1"), "job-1", s_short);

        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void TryAcquireRelease_ManyThreadsOnTwoManagers_NeverTwoInside()
    {
        var managers = new[] { CreateLockManager(), CreateLockManager() };
        var inside = 0;
        var maxInside = 0;

        var results = Concurrently.Run(8, i =>
        {
            var locks = managers[i % 2];
            var job = $"job-{i}";
            for (var n = 0; n < 50; n++)
            {
                if (!locks.TryAcquire(Router("r1"), job, LockTimeout.FromSeconds(30)))
                {
                    return false;
                }

                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref maxInside, now);
                Interlocked.Decrement(ref inside);
                locks.Release(Router("r1"), job);
            }

            return true;
        });

        results.Should().AllSatisfy(r => r.Should().BeTrue());
        maxInside.Should().Be(1);
        _context.RouterSemaphoreValue("r1").Should().Be(1);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <summary>Records an owner of the router that cannot be alive (no process has that pid).</summary>
    private void WriteDeadOwnerRecord(LockManager locks, string router) =>
        locks.Files.WriteLegacyOwnerRecord(Router(router), new OwnerRecord
        {
            Lock = _context.RouterLockName(router),
            JobId = "dead-job",
            Pid = int.MaxValue - 1,
            StartTime = 1,
            PidNamespace = ProcessIdentity.Current.PidNamespace,
            AcquiredAt = DateTimeOffset.UtcNow,
        });
}
