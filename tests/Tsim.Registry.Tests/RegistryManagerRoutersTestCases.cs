using System.Diagnostics;
using Tsim.Registry.Locking;
using Tsim.Registry.Security;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>
/// Router locks through the public API, for one setting of <see cref="RegistryManagerOptions.SharedWithPython"/> per
/// concrete subclass. Both keep a holder's owner record in the router's mapped slot
/// (<c>LOCKDIR/.PREFIX-router-NAME.owner</c>); <see langword="true"/> also keeps Python's lock file
/// <c>LOCKDIR/PREFIX-router-NAME</c> while the router is held, <see langword="false"/> never has one. Everything here
/// must hold in both settings (<see cref="RecordedOwner(string)"/>, <see cref="LockFilesShouldBeThoseOf"/>), and what
/// only one setting promises is in its subclass.
/// </summary>
public abstract class RegistryManagerRoutersTestCases : IDisposable
{
    private static readonly TimeSpan s_short = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_eventDeadline = TimeSpan.FromSeconds(5);

    private readonly RegistryManager _manager;
    private readonly RegistryManager _other;

    protected RegistryManagerRoutersTestCases()
    {
        _manager = CreateManager();
        _other = CreateManager();
    }

    /// <summary>Gets the setting every manager of these tests has, unless a test asks for the other one.</summary>
    protected abstract bool SharedWithPython { get; }

    private protected RegistryTestContext Context { get; } = new();

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes every manager and semaphore handle of the test, unlinks its semaphores and deletes its registry.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Context.Dispose();
        }
    }

    /// <summary>Creates a manager of this class's setting (options adjusted by <paramref name="configure"/>), disposed with the test.</summary>
    private protected RegistryManager CreateManager(Action<RegistryManagerOptions>? configure = null) =>
        Context.CreateManager(o =>
        {
            o.SharedWithPython = SharedWithPython;
            configure?.Invoke(o);
        });

    /// <summary>Creates a manager of the other setting on the same registry.</summary>
    private protected RegistryManager CreateManagerOfTheOtherSetting(Action<RegistryManagerOptions>? configure = null) =>
        Context.CreateManager(o =>
        {
            o.SharedWithPython = !SharedWithPython;
            configure?.Invoke(o);
        });

    /// <summary>Gets a router's slot file, where every holder keeps its owner record; it stays once created.</summary>
    private protected string SlotPath(string router) => Context.SlotPath(Context.RouterLockName(router));

    /// <summary>The owner record JSON in the router's slot, or <see langword="null"/> when there is none.</summary>
    private protected string? RecordedOwner(string router) => File.Exists(SlotPath(router)) ? SlotFile.Record(SlotPath(router)) : null;

    /// <summary>
    /// Checks Python's lock files (<c>LOCKDIR/PREFIX-router-NAME</c>): a registry shared with Python has one exactly
    /// for each held router, one not shared with Python none at all.
    /// </summary>
    private protected void LockFilesShouldBeThoseOf(params string[] heldRouters) =>
        Directory.GetFiles(Context.LockDirectory, $"{Context.Prefix}-router-*").Select(Path.GetFileName).Should().BeEquivalentTo(
            SharedWithPython ? heldRouters.Select(Context.RouterLockName) : [],
            "the lock file exists exactly while a router of a registry shared with Python is held");

    /// <summary>
    /// Holds a router's semaphore like a process that then died, with its owner record in the slot and, when this
    /// setting (or, with <paramref name="byTheOtherSetting"/>, the other one) is shared with Python, its lock file.
    /// </summary>
    private protected OwnerRecord HoldLikeADeadProcess(string router, bool byTheOtherSetting = false)
    {
        Context.EnsureDirectories();
        Context.OpenSemaphore(Context.RouterLockName(router)).TryWait().Should().BeTrue();
        var dead = SlotFile.DeadOwner(Context.RouterLockName(router));
        PlantRecord(router, SlotFile.Json(dead), byTheOtherSetting ? !SharedWithPython : SharedWithPython);
        return dead;
    }

    /// <summary>Writes <paramref name="json"/> as a router's owner record, and its lock file as a holder of the given setting would.</summary>
    private void PlantRecord(string router, byte[] json, bool sharedWithPython)
    {
        Context.EnsureDirectories();
        Context.Track(OwnerRecordSlot.Open(SlotPath(router), AccessPolicy.Private, create: true)!).Write(json);
        if (sharedWithPython)
        {
            File.WriteAllText(Context.OwnerRecordPath(router), "a link of the dead holder's presence file");
        }
    }

    // ---- Deviation 1 (docs/ARCHITECTURE.md): IsRouterLocked and the owner record reflect the real holder ----

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
        Context.SemaphoreFiles().Should().BeEmpty("asking must not create the semaphore");

        _other.AcquireRouterLock("r1", "job-1");
        _other.ReleaseRouterLock("r1", "job-1");

        _manager.IsRouterLocked("r1").Should().BeFalse();
    }

    [Fact]
    public void IsRouterLocked_HeldThroughRawSemaphoreLikePython_IsTrue()
    {
        var python = Context.OpenSemaphore(Context.RouterLockName("r1"));
        python.TryWait().Should().BeTrue();

        _manager.IsRouterLocked("r1").Should().BeTrue();
        _manager.GetRouterLockOwner("r1").Should().BeNull("a Python holder writes no owner record");
        python.Post();
    }

    [Fact]
    public void OwnerRecord_ExistsExactlyWhileHeld()
    {
        RecordedOwner("r1").Should().BeNull();

        _other.AcquireRouterLock("r1", "job-1");
        RecordedOwner("r1").Should().Contain("\"job_id\":\"job-1\"");

        _other.ReleaseRouterLock("r1", "job-1");
        RecordedOwner("r1").Should().BeNull();
        File.Exists(Context.NotifyPath("r1")).Should().BeTrue();
    }

    [Fact]
    public void AcquireRouterLock_Free_RecordsTheOwnerOnlyWhereItsSettingKeepsIt()
    {
        var holder = CreateManager();
        var observer = CreateManager();

        holder.AcquireRouterLock("r1", "job-1").Should().BeTrue();

        RecordedOwner("r1").Should().Contain("\"job_id\":\"job-1\"").And.Contain($"\"pid\":{Environment.ProcessId}");
        LockFilesShouldBeThoseOf("r1");
        observer.IsRouterLocked("r1").Should().BeTrue();
        holder.IsRouterLocked("r1").Should().BeTrue();
        observer.ListHeldLocks().Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            LockName = Context.RouterLockName("r1"),
            RouterName = "r1",
            OwnerState = LockOwnerState.Alive,
            JobId = "job-1",
            Pid = (int?)Environment.ProcessId,
        });
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
        PlantRecord("r1", "{\"job_id\":\"ghost\"}"u8.ToArray(), SharedWithPython);
        RecordedOwner("r1").Should().Contain("ghost");

        _manager.GetRouterLockOwner("r1").Should().BeNull();
    }

    [Fact]
    public void ReleaseRouterLock_Held_RemovesTheRecordAndEveryReaderSeesItFree()
    {
        var holder = CreateManager();
        var observer = CreateManager();
        holder.AcquireRouterLock("r1", "job-1");

        holder.ReleaseRouterLock("r1", "job-1").Should().BeTrue();

        RecordedOwner("r1").Should().BeNull();
        LockFilesShouldBeThoseOf();
        File.Exists(Context.NotifyPath("r1")).Should().BeTrue();
        observer.IsRouterLocked("r1").Should().BeFalse();
        observer.GetRouterLockOwner("r1").Should().BeNull();
        observer.ListHeldLocks().Should().BeEmpty();
        Context.RouterSemaphoreValue("r1").Should().Be(1);
    }

    // ---- Waiting ----

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

    [Fact]
    public async Task AcquireRouterLockAsync_HeldByAnotherManager_WakesFromTheReleaseEventNotTheProbe()
    {
        // A 5 s probe interval: only the release event can make this acquisition prompt.
        var holder = CreateManager();
        var waiter = CreateManager(o => o.LockProbeIntervalSeconds = 5);
        holder.AcquireRouterLock("r1", "holder");
        var acquire = waiter.AcquireRouterLockAsync("r1", "job-2", TimeSpan.FromSeconds(30)).AsTask();
        (await Task.WhenAny(acquire, Task.Delay(300))).Should().NotBeSameAs(acquire, "the router is held");

        var releasedAt = Stopwatch.GetTimestamp();
        holder.ReleaseRouterLock("r1", "holder");
        var acquired = await acquire.WaitAsync(TimeSpan.FromSeconds(5));

        acquired.Should().BeTrue();
        Stopwatch.GetElapsedTime(releasedAt).Should().BeLessThan(TimeSpan.FromSeconds(2));
        holder.GetRouterLockOwner("r1")!.JobId.Should().Be("job-2");
    }

    // ---- Deviation 3 (docs/ARCHITECTURE.md): only the holder releases; the value never exceeds 1 ----

    [Fact]
    public void ReleaseRouterLock_OtherJobId_ReturnsFalseAndLockStaysHeld()
    {
        _manager.AcquireRouterLock("r1", "job-1");
        var raw = Context.OpenSemaphore(Context.RouterLockName("r1"));

        _manager.ReleaseRouterLock("r1", "job-2").Should().BeFalse();

        raw.GetValue().Should().Be(0);
        RecordedOwner("r1").Should().Contain("\"job_id\":\"job-1\"");
    }

    [Fact]
    public void ReleaseRouterLock_OtherManagerSameJobId_ReturnsFalseAndLockStaysHeld()
    {
        _manager.AcquireRouterLock("r1", "job-1");
        var raw = Context.OpenSemaphore(Context.RouterLockName("r1"));

        _other.ReleaseRouterLock("r1", "job-1").Should().BeFalse();

        raw.GetValue().Should().Be(0);
        RecordedOwner("r1").Should().Contain("\"job_id\":\"job-1\"");
        _other.AcquireRouterLock("r1", "job-2", TimeSpan.Zero).Should().BeFalse("mutual exclusion still holds");
    }

    [Fact]
    public void ReleaseRouterLock_Twice_SecondReturnsFalseAndValueStaysOne()
    {
        _manager.AcquireRouterLock("r1", "job-1");
        var raw = Context.OpenSemaphore(Context.RouterLockName("r1"));

        _manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        _manager.ReleaseRouterLock("r1", "job-1").Should().BeFalse();
        _other.ReleaseRouterLock("r1", "job-1").Should().BeFalse();

        raw.GetValue().Should().Be(1);
    }

    [Fact]
    public void ReleaseRouterLock_NeverHeld_ReturnsFalseAndCreatesNothing()
    {
        _manager.ReleaseRouterLock("r1", "job-1").Should().BeFalse();

        Context.SemaphoreFiles().Should().BeEmpty();
        File.Exists(Context.NotifyPath("r1")).Should().BeFalse();
    }

    [Fact]
    public void ReleaseAllRouterLocks_MixedHolders_ReleasesOnlyOwnAndCounts()
    {
        _manager.AcquireAllRouterLocksAtomic(["r1", "r2"], "job-1");
        _other.AcquireRouterLock("r3", "job-1");

        _manager.ReleaseAllRouterLocks(["r1", "r2", "r3", "r2"], "job-1").Should().Be(2);

        Context.RouterSemaphoreValue("r1").Should().Be(1);
        Context.RouterSemaphoreValue("r2").Should().Be(1);
        Context.RouterSemaphoreValue("r3").Should().Be(0);
    }

    // ---- The notify file: touched on every release, created only when missing ----

    [Fact]
    public void ReleaseRouterLock_EveryRelease_TouchesTheNotifyFileWithoutRecreatingIt()
    {
        _manager.AcquireRouterLock("r1", "job-1");
        _manager.ReleaseRouterLock("r1", "job-1");
        var notify = Context.NotifyPath("r1");
        File.GetUnixFileMode(notify).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var inode = FileIdentity.Of(notify)!.Value.Inode;
        var old = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        for (var release = 0; release < 3; release++)
        {
            // Back-dated before each release, so that "changed" does not depend on the clock's granularity.
            File.SetLastWriteTimeUtc(notify, old);
            _manager.AcquireRouterLock("r1", "job-1");
            File.GetLastWriteTimeUtc(notify).Should().Be(old, "acquiring touches nothing");

            _manager.ReleaseRouterLock("r1", "job-1");

            File.GetLastWriteTimeUtc(notify).Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1), $"release {release + 1} touches it");
            FileIdentity.Of(notify)!.Value.Inode.Should().Be(inode, "an existing notify file is touched, never replaced");
        }
    }

    [Fact]
    public void Dispose_HoldingRouters_ReleasesThemAndRemovesTheirRecords()
    {
        var holder = CreateManager();
        holder.AcquireAllRouterLocksAtomic(["r1", "r2"], "job-1");

        holder.Dispose();

        foreach (var router in new[] { "r1", "r2" })
        {
            Context.RouterSemaphoreValue(router).Should().Be(1);
            RecordedOwner(router).Should().BeNull();
            File.Exists(Context.NotifyPath(router)).Should().BeTrue();
            _manager.IsRouterLocked(router).Should().BeFalse();
        }
    }

    // ---- Deviation 6 (docs/ARCHITECTURE.md): lock order ----

    [Fact]
    public void AcquireRouterLock_SortsBeforeHeldRouterOfSameJob_ThrowsNamingBoth()
    {
        _manager.AcquireRouterLock("r2", "job-1");

        var act = () => _manager.AcquireRouterLock("r1", "job-1");

        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"*'{Context.RouterLockName("r2")}'*'{Context.RouterLockName("r1")}', which sorts before it*");
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

        File.Exists(SlotPath("r3")).Should().BeFalse("r3 was never reached");
        RecordedOwner("r1").Should().BeNull("r1 was taken and given back");
        LockFilesShouldBeThoseOf("r2");
        _manager.IsRouterLocked("r1").Should().BeFalse();
        _manager.IsRouterLocked("r3").Should().BeFalse();
        Context.RouterSemaphoreValue("r1").Should().Be(1);
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
        orders[0].Should().AllSatisfy(r => Context.RouterSemaphoreValue(r).Should().Be(1));
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

    // ---- A manager of the other setting on the same registry ----

    [Fact]
    public void OtherSettingManager_HolderOfThisSetting_SeesTheHolderAndCannotAcquire()
    {
        var holder = CreateManager();
        var observer = CreateManagerOfTheOtherSetting();

        holder.AcquireRouterLock("r1", "this-setting-job");

        RecordedOwner("r1").Should().Contain("\"job_id\":\"this-setting-job\"");
        observer.IsRouterLocked("r1").Should().BeTrue();
        observer.GetRouterLockOwner("r1").Should().Match<RouterLockOwner>(o => o.JobId == "this-setting-job" && o.Pid == Environment.ProcessId);
        observer.ListHeldLocks().Should().ContainSingle(l => l.RouterName == "r1" && l.OwnerState == LockOwnerState.Alive && l.JobId == "this-setting-job");
        observer.AcquireRouterLock("r1", "other", TimeSpan.Zero).Should().BeFalse();
    }

    // ---- Crash recovery ----

    [Fact]
    public void AcquireRouterLock_DeadOwnerRecorded_RecoversWithinAFewProbes()
    {
        var dead = HoldLikeADeadProcess("r1");
        var manager = CreateManager(o => o.LockProbeIntervalSeconds = 0.02);
        manager.ListHeldLocks().Should().ContainSingle().Which.Should().Match<LockStatus>(l => l.OwnerState == LockOwnerState.Dead && l.Pid == dead.Pid);

        var clock = Stopwatch.StartNew();
        manager.AcquireRouterLock("r1", "job-new", TimeSpan.FromSeconds(10)).Should().BeTrue();

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
        manager.GetRouterLockOwner("r1")!.JobId.Should().Be("job-new");
        RecordedOwner("r1").Should().Contain("\"job_id\":\"job-new\"").And.NotContain(dead.JobId);
        manager.ReleaseRouterLock("r1", "job-new").Should().BeTrue();
        Context.RouterSemaphoreValue("r1").Should().Be(1, "the dead hold was posted exactly once");
    }

    [Fact]
    public void AcquireRouterLock_DeadOwnerRecordedByTheOtherSetting_RecoversAndDiscardsItsRecord()
    {
        HoldLikeADeadProcess("r1", byTheOtherSetting: true);
        var manager = CreateManager(o => o.LockProbeIntervalSeconds = 0.02);

        manager.AcquireRouterLock("r1", "job-new", TimeSpan.FromSeconds(10)).Should().BeTrue();

        RecordedOwner("r1").Should().Contain("\"job_id\":\"job-new\"");
        LockFilesShouldBeThoseOf("r1"); // The dead holder's lock file, if it had one, went with its record; the new holder's is there if it keeps one.
        manager.GetRouterLockOwner("r1")!.JobId.Should().Be("job-new");
    }

    [Fact]
    public void WaitForRouter_DeadOwnerRecorded_RecoversAndReturnsTrue()
    {
        var dead = HoldLikeADeadProcess("r1");
        var manager = CreateManager();

        manager.WaitForRouter("r1", TimeSpan.FromSeconds(10)).Should().BeTrue("a pure waiter recovers a dead holder at its re-check");

        manager.IsRouterLocked("r1").Should().BeFalse();
        Context.RouterSemaphoreValue("r1").Should().Be(1);
        RecordedOwner("r1").Should().BeNull();
        manager.ListHeldLocks().Should().NotContain(l => l.Pid == dead.Pid);
    }

    [Fact]
    public void ForceReleaseRouterLock_LiveOwner_RefusesAndChangesNothing()
    {
        var holder = CreateManager();
        holder.AcquireRouterLock("r1", "live-job");
        var sameSetting = CreateManager();
        var otherSetting = CreateManagerOfTheOtherSetting();

        ((Action)(() => sameSetting.ForceReleaseRouterLock("r1"))).Should().Throw<InvalidOperationException>().WithMessage("*'live-job'*alive*");
        ((Action)(() => otherSetting.ForceReleaseRouterLock("r1"))).Should().Throw<InvalidOperationException>().WithMessage("*'live-job'*alive*");

        Context.RouterSemaphoreValue("r1").Should().Be(0);
        RecordedOwner("r1").Should().Contain("\"job_id\":\"live-job\"");
        holder.ReleaseRouterLock("r1", "live-job").Should().BeTrue("the holder still holds it");
    }

    [Fact]
    public void ForceReleaseRouterLock_DeadOwnerRecorded_Frees()
    {
        HoldLikeADeadProcess("r1");
        var manager = CreateManager();

        manager.ForceReleaseRouterLock("r1").Should().BeTrue();

        manager.IsRouterLocked("r1").Should().BeFalse();
        RecordedOwner("r1").Should().BeNull();
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
        Context.SemaphoreFiles().Should().BeEmpty();
    }

    [Fact]
    public void AcquireRouterLock_InfiniteTimeoutWhileFree_Acquires()
    {
        _manager.AcquireRouterLock("r1", "job-1", Timeout.InfiniteTimeSpan).Should().BeTrue();
    }
}
