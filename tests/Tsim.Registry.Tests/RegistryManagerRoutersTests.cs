using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

public sealed class RegistryManagerRoutersTests : IDisposable
{
    private static readonly TimeSpan s_short = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_eventDeadline = TimeSpan.FromSeconds(5);

    private readonly RegistryTestContext _context = new();
    private readonly RegistryManager _manager;
    private readonly RegistryManager _other;

    public RegistryManagerRoutersTests()
    {
        _manager = _context.CreateManager();
        _other = _context.CreateManager();
    }

    public void Dispose() => _context.Dispose();

    // ---- Deviation 1 (docs/ARCHITECTURE.md): IsRouterLocked and the owner file reflect the real holder ----

    [Fact]
    public void IsRouterLocked_HeldByAnotherManager_IsTrue()
    {
        _other.AcquireRouterLock("r1", "job-1").Should().BeTrue();

        _manager.IsRouterLocked("r1").Should().BeTrue();
        _other.IsRouterLocked("r1").Should().BeTrue();
    }

    [Fact]
    public void IsRouterLocked_NeverUsedOrReleased_IsFalse()
    {
        _manager.IsRouterLocked("r1").Should().BeFalse();
        _context.SemaphoreFiles().Should().BeEmpty("asking must not create the semaphore");

        _other.AcquireRouterLock("r1", "job-1");
        _other.ReleaseRouterLock("r1", "job-1");

        _manager.IsRouterLocked("r1").Should().BeFalse();
    }

    [Fact]
    public void IsRouterLocked_HeldThroughRawSemaphoreLikePython_IsTrue()
    {
        var python = _context.OpenSemaphore(_context.RouterLockName("r1"));
        python.TryWait().Should().BeTrue();

        _manager.IsRouterLocked("r1").Should().BeTrue();
        _manager.GetRouterLockOwner("r1").Should().BeNull("a Python holder writes no owner record");
        python.Post();
    }

    [Fact]
    public void OwnerFile_ExistsExactlyWhileHeld()
    {
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();

        _other.AcquireRouterLock("r1", "job-1");
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeTrue();

        _other.ReleaseRouterLock("r1", "job-1");
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        File.Exists(_context.NotifyPath("r1")).Should().BeTrue();
    }

    [Fact]
    public void GetRouterLockOwner_Held_NamesJobAndProcess()
    {
        _other.AcquireRouterLock("r1", "job-1");

        var owner = _manager.GetRouterLockOwner("r1");

        owner.Should().NotBeNull();
        owner!.RouterName.Should().Be("r1");
        owner.JobId.Should().Be("job-1");
        owner.Pid.Should().Be(Environment.ProcessId);
        owner.StartTime.Should().Be(ProcessIdentity.Current.StartTime);
        owner.AcquiredAt.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void GetRouterLockOwner_FreeWithStaleRecord_ReturnsNull()
    {
        _context.EnsureDirectories();
        File.WriteAllText(_context.OwnerRecordPath("r1"), "{\"job_id\":\"ghost\"}");

        _manager.GetRouterLockOwner("r1").Should().BeNull();
    }

    [Fact]
    public void WaitForRouter_HeldByAnotherManager_WaitsUntilReleasedThenReturnsTrue()
    {
        _other.AcquireRouterLock("r1", "holder");
        var released = 0;
        var sawReleased = -1;
        var result = false;
        using var returned = new ManualResetEventSlim();
        var waiter = new Thread(() =>
        {
            result = _manager.WaitForRouter("r1", TimeSpan.FromSeconds(30));
            sawReleased = Volatile.Read(ref released);
            returned.Set();
        });
        waiter.Start();

        // On the specification's behaviour the wait returns at once; here it must still be waiting.
        returned.Wait(TimeSpan.FromMilliseconds(500)).Should().BeFalse("the router is held");

        Volatile.Write(ref released, 1);
        _other.ReleaseRouterLock("r1", "holder").Should().BeTrue();

        returned.Wait(s_eventDeadline).Should().BeTrue("a release wakes the waiter through inotify, well within 5 s of a 30 s timeout");
        result.Should().BeTrue();
        sawReleased.Should().Be(1, "the wait returned only after the release");
    }

    [Fact]
    public void WaitForRouter_Free_ReturnsTrueAtOnce()
    {
        _manager.WaitForRouter("r1", TimeSpan.Zero).Should().BeTrue();
        _manager.AcquireRouterLock("r1", "job-1");
        _manager.ReleaseRouterLock("r1", "job-1");
        _manager.WaitForRouter("r1", TimeSpan.Zero).Should().BeTrue();
    }

    [Fact]
    public void WaitForRouter_StillHeldAtTimeout_ReturnsFalse()
    {
        _other.AcquireRouterLock("r1", "holder");

        _manager.WaitForRouter("r1", s_short).Should().BeFalse();
        _manager.WaitForRouter("r1", TimeSpan.Zero).Should().BeFalse();
        _other.IsRouterLocked("r1").Should().BeTrue("waiting never takes the lock");
    }

    [Fact]
    public void WaitForAllRouters_OneHeldThenReleased_ReturnsTrue()
    {
        _other.AcquireRouterLock("r2", "holder");
        var result = false;
        using var returned = new ManualResetEventSlim();
        var waiter = new Thread(() =>
        {
            result = _manager.WaitForAllRouters(["r1", "r2", "r3"], TimeSpan.FromSeconds(30));
            returned.Set();
        });
        waiter.Start();
        returned.Wait(TimeSpan.FromMilliseconds(300)).Should().BeFalse();

        _other.ReleaseRouterLock("r2", "holder");

        returned.Wait(s_eventDeadline).Should().BeTrue();
        result.Should().BeTrue();
    }

    [Fact]
    public void WaitForAllRouters_OneStillHeld_ReturnsFalse()
    {
        _other.AcquireRouterLock("r2", "holder");

        _manager.WaitForAllRouters(["r1", "r2"], s_short).Should().BeFalse();
    }

    // ---- Deviation 3 (docs/ARCHITECTURE.md): only the holder releases; the value never exceeds 1 ----

    [Fact]
    public void ReleaseRouterLock_OtherJobId_ReturnsFalseAndLockStaysHeld()
    {
        _manager.AcquireRouterLock("r1", "job-1");
        var raw = _context.OpenSemaphore(_context.RouterLockName("r1"));

        _manager.ReleaseRouterLock("r1", "job-2").Should().BeFalse();

        raw.GetValue().Should().Be(0);
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeTrue();
    }

    [Fact]
    public void ReleaseRouterLock_OtherManagerSameJobId_ReturnsFalseAndLockStaysHeld()
    {
        _manager.AcquireRouterLock("r1", "job-1");
        var raw = _context.OpenSemaphore(_context.RouterLockName("r1"));

        _other.ReleaseRouterLock("r1", "job-1").Should().BeFalse();

        raw.GetValue().Should().Be(0);
        _other.AcquireRouterLock("r1", "job-2", TimeSpan.Zero).Should().BeFalse("mutual exclusion still holds");
    }

    [Fact]
    public void ReleaseRouterLock_Twice_SecondReturnsFalseAndValueStaysOne()
    {
        _manager.AcquireRouterLock("r1", "job-1");
        var raw = _context.OpenSemaphore(_context.RouterLockName("r1"));

        _manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        _manager.ReleaseRouterLock("r1", "job-1").Should().BeFalse();
        _other.ReleaseRouterLock("r1", "job-1").Should().BeFalse();

        raw.GetValue().Should().Be(1);
    }

    [Fact]
    public void ReleaseRouterLock_NeverHeld_ReturnsFalseAndCreatesNothing()
    {
        _manager.ReleaseRouterLock("r1", "job-1").Should().BeFalse();

        _context.SemaphoreFiles().Should().BeEmpty();
        File.Exists(_context.NotifyPath("r1")).Should().BeFalse();
    }

    [Fact]
    public void ReleaseAllRouterLocks_MixedHolders_ReleasesOnlyOwnAndCounts()
    {
        _manager.AcquireAllRouterLocksAtomic(["r1", "r2"], "job-1");
        _other.AcquireRouterLock("r3", "job-1");

        _manager.ReleaseAllRouterLocks(["r1", "r2", "r3", "r2"], "job-1").Should().Be(2);

        _context.RouterSemaphoreValue("r1").Should().Be(1);
        _context.RouterSemaphoreValue("r2").Should().Be(1);
        _context.RouterSemaphoreValue("r3").Should().Be(0);
    }

    // ---- Deviation 6 (docs/ARCHITECTURE.md): lock order ----

    [Fact]
    public void AcquireRouterLock_SortsBeforeHeldRouterOfSameJob_ThrowsNamingBoth()
    {
        _manager.AcquireRouterLock("r2", "job-1");

        var act = () => _manager.AcquireRouterLock("r1", "job-1");

        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"*'{_context.RouterLockName("r2")}'*'{_context.RouterLockName("r1")}', which sorts before it*");
        _manager.IsRouterLocked("r1").Should().BeFalse();
    }

    [Fact]
    public void AcquireRouterLock_HeldRouterAgain_ThrowsLockRecursion()
    {
        _manager.AcquireRouterLock("r1", "job-1");

        var act = () => _manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(30));

        act.Should().Throw<LockRecursionException>().WithMessage("*'job-1' already holds the lock of router 'r1'*");
    }

    [Fact]
    public void AcquireAllRouterLocksAtomic_IncludesHeldRouter_ThrowsLockRecursion()
    {
        _manager.AcquireRouterLock("r1", "job-1");

        var act = () => _manager.AcquireAllRouterLocksAtomic(["r2", "r1"], "job-1");

        act.Should().Throw<LockRecursionException>();
        _manager.IsRouterLocked("r2").Should().BeFalse();
    }

    [Fact]
    public void AcquireAllRouterLocksAtomic_FirstSortsBeforeHeld_ThrowsInvalidOperation()
    {
        _manager.AcquireRouterLock("r5", "job-1");

        var act = () => _manager.AcquireAllRouterLocksAtomic(["r6", "r4"], "job-1");

        act.Should().Throw<InvalidOperationException>();
        _manager.IsRouterLocked("r6").Should().BeFalse();
    }

    [Fact]
    public void AcquireRouterLock_AfterReleasingHigherRouter_LowerIsAllowed()
    {
        _manager.AcquireRouterLock("r2", "job-1");
        _manager.ReleaseRouterLock("r2", "job-1");

        _manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
    }

    [Fact]
    public void AllRouterLocks_DuplicatesAndMixedCase_HeldOnceInOrdinalOrder()
    {
        using var scope = _manager.AllRouterLocks(["r9", "b", "B", "r10", "a", "b", "r9"], "job-1");

        scope.RouterNames.Should().Equal("B", "a", "b", "r10", "r9");
        scope.JobId.Should().Be("job-1");
        scope.RouterNames.Should().AllSatisfy(r => _other.IsRouterLocked(r).Should().BeTrue());
    }

    // ---- Atomic multi-router acquisition and deadlock prevention ----

    [Fact]
    public void AcquireAllRouterLocksAtomic_OneHeldElsewhere_ReturnsFalseAndHoldsNone()
    {
        _other.AcquireRouterLock("r2", "holder");

        _manager.AcquireAllRouterLocksAtomic(["r3", "r1", "r2"], "job-1", TimeSpan.FromMilliseconds(200)).Should().BeFalse();

        _manager.IsRouterLocked("r1").Should().BeFalse();
        _manager.IsRouterLocked("r3").Should().BeFalse();
        _context.RouterSemaphoreValue("r1").Should().Be(1);
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        File.Exists(_context.OwnerRecordPath("r3")).Should().BeFalse();
        _manager.GetRouterLockOwner("r2")!.JobId.Should().Be("holder");
        _manager.AcquireRouterLock("r1", "job-1", TimeSpan.Zero).Should().BeTrue("nothing of the failed attempt is left held");
    }

    [Fact]
    public void AllRouterLocks_Timeout_ThrowsNamingRoutersAndHoldsNone()
    {
        _other.AcquireRouterLock("r2", "holder");

        var act = () => _manager.AllRouterLocks(["r2", "r1"], "job-1", s_short);

        var thrown = act.Should().Throw<RegistryLockTimeoutException>()
            .WithMessage("Could not acquire the locks of routers 'r1', 'r2' for job 'job-1' within 00:00:00.1000000; none is held.").Which;
        thrown.LockNames.Should().Equal("r1", "r2");
        thrown.Timeout.Should().Be(s_short);
        _manager.IsRouterLocked("r1").Should().BeFalse();
    }

    [Fact]
    public void RouterLock_Timeout_ThrowsNamingRouterAndTimeout()
    {
        _other.AcquireRouterLock("r1", "holder");

        var act = () => _manager.RouterLock("r1", "job-1", s_short);

        var thrown = act.Should().Throw<RegistryLockTimeoutException>()
            .WithMessage("Could not acquire the lock of router 'r1' for job 'job-1' within 00:00:00.1000000.").Which;
        thrown.LockNames.Should().Equal("r1");
        thrown.Timeout.Should().Be(s_short);
    }

    [Fact]
    public void AcquireRouterLock_ZeroTimeout_IsTryLock()
    {
        _manager.AcquireRouterLock("r1", "job-1", TimeSpan.Zero).Should().BeTrue();

        _other.AcquireRouterLock("r1", "job-2", TimeSpan.Zero).Should().BeFalse();
        _other.AcquireRouterLock("r2", "job-2", TimeSpan.Zero).Should().BeTrue();
    }

    [Fact]
    public void AcquireRouterLock_ReleasedFromAnotherThreadWhileWaiting_Acquires()
    {
        _other.AcquireRouterLock("r1", "holder");
        var acquired = false;
        using var returned = new ManualResetEventSlim();
        var waiter = new Thread(() =>
        {
            acquired = _manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(30));
            returned.Set();
        });
        waiter.Start();
        returned.Wait(TimeSpan.FromMilliseconds(300)).Should().BeFalse();

        _other.ReleaseRouterLock("r1", "holder");

        returned.Wait(s_eventDeadline).Should().BeTrue();
        acquired.Should().BeTrue();
        _manager.GetRouterLockOwner("r1")!.JobId.Should().Be("job-1");
    }

    [Fact]
    public void AcquireAllRouterLocksAtomic_OppositeListOrdersOnTwoManagers_BothFinish()
    {
        var managers = new[] { _manager, _other };
        string[][] orders = [["r1", "r2", "r3"], ["r3", "r2", "r1"]];

        var results = Concurrently.Run(2, i =>
        {
            for (var n = 0; n < 40; n++)
            {
                if (!managers[i].AcquireAllRouterLocksAtomic(orders[i], $"job-{i}", TimeSpan.FromSeconds(20)))
                {
                    return false;
                }

                managers[i].ReleaseAllRouterLocks(orders[i], $"job-{i}").Should().Be(3);
            }

            return true;
        });

        results.Should().Equal(true, true);
        orders[0].Should().AllSatisfy(r => _context.RouterSemaphoreValue(r).Should().Be(1));
    }

    [Fact]
    public void AllRouterLocks_OverlappingSetsFromManyThreads_NeverOverlapInside()
    {
        var managers = new[] { _manager, _other };
        string[][] sets = [["r1", "r2"], ["r2", "r3"], ["r3", "r1"], ["r3", "r2", "r1"]];
        var holders = new int[4];
        var violations = 0;

        Concurrently.Run(8, i =>
        {
            var routers = sets[i % sets.Length];
            for (var n = 0; n < 15; n++)
            {
                using (managers[i % 2].AllRouterLocks(routers, $"job-{i}", TimeSpan.FromSeconds(20)))
                {
                    foreach (var r in routers)
                    {
                        if (Interlocked.Increment(ref holders[r[1] - '0']) != 1)
                        {
                            Interlocked.Increment(ref violations);
                        }
                    }

                    foreach (var r in routers)
                    {
                        Interlocked.Decrement(ref holders[r[1] - '0']);
                    }
                }
            }

            return 0;
        });

        violations.Should().Be(0);
    }

    // ---- Validation ----

    [Fact]
    public void AcquireAllRouterLocksAtomic_Empty_ThrowsNamingList()
    {
        var act = () => _manager.AcquireAllRouterLocksAtomic([], "job-1");

        act.Should().Throw<ArgumentException>().WithParameterName("routerNames").WithMessage("routerNames must name at least one router*");
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(-100)]
    public void AcquireRouterLock_NegativeTimeout_ThrowsOutOfRange(int milliseconds)
    {
        var act = () => _manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromMilliseconds(milliseconds));

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timeout");
        _context.SemaphoreFiles().Should().BeEmpty();
    }

    [Fact]
    public void AcquireRouterLock_InfiniteTimeoutWhileFree_Acquires()
    {
        _manager.AcquireRouterLock("r1", "job-1", Timeout.InfiniteTimeSpan).Should().BeTrue();
    }
}
