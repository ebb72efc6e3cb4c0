using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Configuration;
using Tsim.Registry.Locking;
using Tsim.Registry.Security;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>
/// <see cref="RegistryManagerOptions.SharedWithPython"/> = <see langword="false"/> through the public API: router owner
/// records in mapped slots instead of the compatibility lock files, the same visibility, wake-ups and crash recovery,
/// and managers of both settings on one registry seeing (and recovering) each other's holders.
/// </summary>
public sealed class RegistryManagerSharedWithPythonTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    private RegistryManager NotShared(double probeSeconds = 0.2) =>
        _context.CreateManager(o =>
        {
            o.SharedWithPython = false;
            o.LockProbeIntervalSeconds = probeSeconds;
        });

    private RegistryManager Shared(double probeSeconds = 0.2) =>
        _context.CreateManager(o => o.LockProbeIntervalSeconds = probeSeconds);

    private string RouterSlot(string router) => _context.SlotPath(_context.RouterLockName(router));

    /// <summary>Holds a router's semaphore like a process that then died, with its owner record in the slot.</summary>
    private OwnerRecord HoldLikeADeadProcessWithSlotRecord(string router)
    {
        _context.EnsureDirectories();
        _context.OpenSemaphore(_context.RouterLockName(router)).TryWait().Should().BeTrue();
        var dead = SlotFile.DeadOwner(_context.RouterLockName(router));
        var slot = _context.Track(OwnerRecordSlot.Open(RouterSlot(router), AccessPolicy.Private, create: true)!);
        slot.Write(SlotFile.Json(dead));
        return dead;
    }

    /// <summary>The same, with the owner record in the compatibility file (a dead holder that shared with Python).</summary>
    private OwnerRecord HoldLikeADeadProcessWithFileRecord(string router)
    {
        _context.EnsureDirectories();
        _context.OpenSemaphore(_context.RouterLockName(router)).TryWait().Should().BeTrue();
        var dead = SlotFile.DeadOwner(_context.RouterLockName(router));
        File.WriteAllBytes(_context.OwnerRecordPath(router), SlotFile.Json(dead));
        return dead;
    }

    // ---- Where the record lives, and what every reader sees ----

    [Fact]
    public void AcquireRouterLock_NotShared_CreatesNoLockFileAndRecordsTheOwnerInTheSlot()
    {
        var holder = NotShared();
        var observer = NotShared();

        holder.AcquireRouterLock("r1", "job-1").Should().BeTrue();

        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse("Python's lock file is not kept in a registry not shared with Python");
        RegistryTestContext.SlotRecord(RouterSlot("r1")).Should().Contain("\"job_id\":\"job-1\"").And.Contain($"\"pid\":{Environment.ProcessId}");
        observer.IsRouterLocked("r1").Should().BeTrue();
        holder.IsRouterLocked("r1").Should().BeTrue();
        var owner = observer.GetRouterLockOwner("r1");
        owner.Should().NotBeNull();
        owner!.JobId.Should().Be("job-1");
        owner.Pid.Should().Be(Environment.ProcessId);
        owner.StartTime.Should().Be(ProcessIdentity.Current.StartTime);
        owner.AcquiredAt.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        observer.ListHeldLocks().Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            LockName = _context.RouterLockName("r1"),
            RouterName = "r1",
            OwnerState = LockOwnerState.Alive,
            JobId = "job-1",
            Pid = (int?)Environment.ProcessId,
        });
    }

    [Fact]
    public void ReleaseRouterLock_NotShared_EmptiesTheSlotAndEveryReaderSeesItFree()
    {
        var holder = NotShared();
        var observer = NotShared();
        holder.AcquireRouterLock("r1", "job-1");

        holder.ReleaseRouterLock("r1", "job-1").Should().BeTrue();

        RegistryTestContext.SlotRecord(RouterSlot("r1")).Should().BeNull();
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        File.Exists(_context.NotifyPath("r1")).Should().BeTrue();
        observer.IsRouterLocked("r1").Should().BeFalse();
        observer.GetRouterLockOwner("r1").Should().BeNull();
        observer.ListHeldLocks().Should().BeEmpty();
        _context.RouterSemaphoreValue("r1").Should().Be(1);
    }

    [Fact]
    public void ReleaseRouterLock_NotSharedByNonHolder_ReturnsFalseAndLeavesTheRecord()
    {
        var holder = NotShared();
        var other = NotShared();
        holder.AcquireRouterLock("r1", "job-1");

        other.ReleaseRouterLock("r1", "job-1").Should().BeFalse();
        holder.ReleaseRouterLock("r1", "job-2").Should().BeFalse();

        RegistryTestContext.SlotRecord(RouterSlot("r1")).Should().Contain("\"job_id\":\"job-1\"");
        other.AcquireRouterLock("r1", "job-3", TimeSpan.Zero).Should().BeFalse();
    }

    [Fact]
    public void AcquireAllRouterLocksAtomic_NotSharedTimesOut_LeavesNoRecordOfThePartialAttempt()
    {
        var holder = NotShared();
        var other = NotShared();
        holder.AcquireRouterLock("r2", "holder");

        other.AcquireAllRouterLocksAtomic(["r1", "r2", "r3"], "job-1", TimeSpan.FromMilliseconds(200)).Should().BeFalse();

        RegistryTestContext.SlotRecord(RouterSlot("r1")).Should().BeNull("r1 was taken and given back");
        File.Exists(RouterSlot("r3")).Should().BeFalse("r3 was never reached");
        other.GetRouterLockOwner("r2")!.JobId.Should().Be("holder");
        Directory.GetFiles(_context.LockDirectory, $"{_context.Prefix}-router-*").Should().BeEmpty();
    }

    [Fact]
    public void Dispose_NotSharedHoldingRouters_ReleasesThemAndEmptiesTheirSlots()
    {
        var holder = NotShared();
        var observer = NotShared();
        holder.AcquireAllRouterLocksAtomic(["r1", "r2"], "job-1");

        holder.Dispose();

        foreach (var router in new[] { "r1", "r2" })
        {
            _context.RouterSemaphoreValue(router).Should().Be(1);
            RegistryTestContext.SlotRecord(RouterSlot(router)).Should().BeNull();
            File.Exists(_context.NotifyPath(router)).Should().BeTrue();
            observer.IsRouterLocked(router).Should().BeFalse();
        }
    }

    // ---- The notify file: touched on every release, created only when missing ----

    [Fact]
    public void ReleaseRouterLock_NotShared_TouchesTheNotifyFileOnEveryReleaseWithoutRecreatingIt()
    {
        var manager = NotShared();
        manager.AcquireRouterLock("r1", "job-1");
        manager.ReleaseRouterLock("r1", "job-1");
        var notify = _context.NotifyPath("r1");
        File.GetUnixFileMode(notify).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var inode = FileIdentity.Of(notify)!.Value.Inode;
        var old = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        for (var release = 0; release < 3; release++)
        {
            // Back-dated before each release, so that "changed" does not depend on the clock's granularity.
            File.SetLastWriteTimeUtc(notify, old);
            manager.AcquireRouterLock("r1", "job-1");
            File.GetLastWriteTimeUtc(notify).Should().Be(old, "acquiring touches nothing");

            manager.ReleaseRouterLock("r1", "job-1");

            File.GetLastWriteTimeUtc(notify).Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1), $"release {release + 1} touches it");
            FileIdentity.Of(notify)!.Value.Inode.Should().Be(inode, "an existing notify file is touched, never replaced");
        }
    }

    // ---- Waiting ----

    [Fact]
    public async Task AcquireRouterLockAsync_NotShared_WakesFromTheReleaseEventNotTheProbe()
    {
        // A 5 s probe interval: only the release event can make this acquisition prompt.
        var holder = NotShared();
        var waiter = NotShared(probeSeconds: 5);
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

    // ---- Managers of both settings on one registry ----

    [Fact]
    public void SharedManager_SeesANotSharedHolder()
    {
        var notShared = NotShared();
        var shared = Shared();

        notShared.AcquireRouterLock("r1", "slot-job");

        shared.IsRouterLocked("r1").Should().BeTrue();
        shared.GetRouterLockOwner("r1").Should().Match<RouterLockOwner>(o => o.JobId == "slot-job" && o.Pid == Environment.ProcessId);
        shared.ListHeldLocks().Should().ContainSingle(l => l.RouterName == "r1" && l.OwnerState == LockOwnerState.Alive && l.JobId == "slot-job");
        shared.AcquireRouterLock("r1", "other", TimeSpan.Zero).Should().BeFalse();
    }

    [Fact]
    public void NotSharedManager_SeesASharedHolder()
    {
        var shared = Shared();
        var notShared = NotShared();

        shared.AcquireRouterLock("r1", "file-job");

        File.Exists(_context.OwnerRecordPath("r1")).Should().BeTrue();
        notShared.IsRouterLocked("r1").Should().BeTrue();
        notShared.GetRouterLockOwner("r1").Should().Match<RouterLockOwner>(o => o.JobId == "file-job" && o.Pid == Environment.ProcessId);
        notShared.ListHeldLocks().Should().ContainSingle(l => l.RouterName == "r1" && l.OwnerState == LockOwnerState.Alive && l.JobId == "file-job");
        notShared.AcquireRouterLock("r1", "other", TimeSpan.Zero).Should().BeFalse();
    }

    [Fact]
    public void AlternatingHolders_OfBothSettings_LeaveNoStaleRecordInEitherPlace()
    {
        var shared = Shared();
        var notShared = NotShared();

        for (var round = 0; round < 20; round++)
        {
            var (holder, observer) = round % 2 == 0 ? (shared, notShared) : (notShared, shared);
            holder.AcquireRouterLock("r1", $"job-{round}", TimeSpan.FromSeconds(5)).Should().BeTrue();
            observer.GetRouterLockOwner("r1")!.JobId.Should().Be($"job-{round}");
            holder.ReleaseRouterLock("r1", $"job-{round}").Should().BeTrue();
            observer.GetRouterLockOwner("r1").Should().BeNull();
        }

        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        RegistryTestContext.SlotRecord(RouterSlot("r1")).Should().BeNull();
    }

    // ---- Crash recovery of slot records ----

    [Fact]
    public void AcquireRouterLock_NotSharedDeadOwnerInTheSlot_RecoversWithinAFewProbes()
    {
        var dead = HoldLikeADeadProcessWithSlotRecord("r1");
        var manager = NotShared(probeSeconds: 0.02);
        manager.ListHeldLocks().Should().ContainSingle().Which.Should().Match<LockStatus>(l => l.OwnerState == LockOwnerState.Dead && l.Pid == dead.Pid);

        var clock = Stopwatch.StartNew();
        manager.AcquireRouterLock("r1", "job-new", TimeSpan.FromSeconds(10)).Should().BeTrue();

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
        manager.GetRouterLockOwner("r1")!.JobId.Should().Be("job-new");
        RegistryTestContext.SlotRecord(RouterSlot("r1")).Should().Contain("\"job_id\":\"job-new\"").And.NotContain(dead.JobId);
        manager.ReleaseRouterLock("r1", "job-new").Should().BeTrue();
        _context.RouterSemaphoreValue("r1").Should().Be(1, "the dead hold was posted exactly once");
    }

    [Fact]
    public void AcquireRouterLock_SharedManagerDeadOwnerInTheSlot_Recovers()
    {
        HoldLikeADeadProcessWithSlotRecord("r1");
        var manager = Shared(probeSeconds: 0.02);

        manager.AcquireRouterLock("r1", "job-new", TimeSpan.FromSeconds(10)).Should().BeTrue();

        File.ReadAllText(_context.OwnerRecordPath("r1")).Should().Contain("\"job_id\":\"job-new\"");
        RegistryTestContext.SlotRecord(RouterSlot("r1")).Should().BeNull("the dead owner's slot record is discarded on recovery");
        manager.GetRouterLockOwner("r1")!.JobId.Should().Be("job-new");
    }

    [Fact]
    public void AcquireRouterLock_NotSharedManagerDeadOwnerInTheLockFile_Recovers()
    {
        HoldLikeADeadProcessWithFileRecord("r1");
        var manager = NotShared(probeSeconds: 0.02);

        manager.AcquireRouterLock("r1", "job-new", TimeSpan.FromSeconds(10)).Should().BeTrue();

        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse("the dead owner's lock file is deleted on recovery");
        manager.GetRouterLockOwner("r1")!.JobId.Should().Be("job-new");
    }

    [Fact]
    public void WaitForRouter_NotSharedDeadOwnerInTheSlot_RecoversAndReturnsTrue()
    {
        var dead = HoldLikeADeadProcessWithSlotRecord("r1");
        var manager = NotShared();

        manager.WaitForRouter("r1", TimeSpan.FromSeconds(10)).Should().BeTrue("a pure waiter recovers a dead holder at its re-check");

        manager.IsRouterLocked("r1").Should().BeFalse();
        _context.RouterSemaphoreValue("r1").Should().Be(1);
        RegistryTestContext.SlotRecord(RouterSlot("r1")).Should().BeNull();
        manager.ListHeldLocks().Should().NotContain(l => l.Pid == dead.Pid);
    }

    [Fact]
    public void ForceReleaseRouterLock_NotSharedLiveOwner_RefusesAndChangesNothing()
    {
        var holder = NotShared();
        holder.AcquireRouterLock("r1", "live-job");
        var notShared = NotShared();
        var shared = Shared();

        ((Action)(() => notShared.ForceReleaseRouterLock("r1"))).Should().Throw<InvalidOperationException>().WithMessage("*'live-job'*alive*");
        ((Action)(() => shared.ForceReleaseRouterLock("r1"))).Should().Throw<InvalidOperationException>().WithMessage("*'live-job'*alive*");

        _context.RouterSemaphoreValue("r1").Should().Be(0);
        RegistryTestContext.SlotRecord(RouterSlot("r1")).Should().Contain("\"job_id\":\"live-job\"");
        holder.ReleaseRouterLock("r1", "live-job").Should().BeTrue("the holder still holds it");
    }

    [Fact]
    public void ForceReleaseRouterLock_NotSharedDeadOwnerInTheSlot_Frees()
    {
        HoldLikeADeadProcessWithSlotRecord("r1");
        var manager = NotShared();

        manager.ForceReleaseRouterLock("r1").Should().BeTrue();

        manager.IsRouterLocked("r1").Should().BeFalse();
        RegistryTestContext.SlotRecord(RouterSlot("r1")).Should().BeNull();
    }

    [Fact]
    public void HostsLock_SlotLeftOddByAKilledWriter_IsNeverRecoveredAutomaticallyButTheOverrideFreesIt()
    {
        var manager = _context.CreateManager(o =>
        {
            o.SharedWithPython = false;
            o.LockProbeIntervalSeconds = 0.02;
            o.LockTimeouts.HostRegistrySeconds = 0.3;
        });
        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue(); // Creates the slot.
        var slot = _context.SlotPath(_context.HostsLockName);

        // A holder killed in the middle of writing its record: semaphore taken, sequence odd, half a record.
        _context.OpenSemaphore(_context.HostsLockName).TryWait().Should().BeTrue();
        var half = SlotFile.Json(SlotFile.DeadOwner(_context.HostsLockName)).AsSpan(0, 20).ToArray();
        SlotFile.WriteRaw(slot, sequence: SlotFile.Sequence(slot) + 1, length: half.Length, half);

        manager.ListHeldLocks().Should().ContainSingle().Which.Should().Match<LockStatus>(l => l.LockName == _context.HostsLockName && l.OwnerState == LockOwnerState.NoRecord);
        var register = () => manager.CheckAndRegisterHost("web-2", "10.0.0.2", "r1", "02:00:00:00:00:02");
        register.Should().Throw<RegistryLockTimeoutException>("an unusable record never triggers recovery");

        manager.ForceReleaseLock(_context.HostsLockName).Should().BeTrue();

        (SlotFile.Sequence(slot) % 2).Should().Be(0);
        RegistryTestContext.SlotRecord(slot).Should().BeNull();
        register().Should().BeTrue();
        RegistryTestContext.SemaphoreValue(_context.HostsLockName).Should().Be(1);
    }

    [Fact]
    public void RouterSlot_IsASymlink_AcquireIsRefusedAndTheLockIsGivenBack()
    {
        var manager = NotShared();
        _context.EnsureDirectories();
        var target = Path.Combine(_context.RegistryDirectory, "created-behind-the-link");
        File.CreateSymbolicLink(RouterSlot("r1"), target);

        var act = () => manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(1));

        act.Should().Throw<RegistryException>();
        Path.Exists(target).Should().BeFalse();
        _context.RouterSemaphoreValue("r1").Should().Be(1, "the semaphore taken before the record failed is posted back");
    }

    // ---- Configuration ----

    [Theory]
    [InlineData("\"shared_with_python\": false,", false)]
    [InlineData("\"shared_with_python\": true,", true)]
    [InlineData("", true)]
    public void SharedWithPython_BoundFromTheJsonConfiguration(string setting, bool expected)
    {
        var json = $$$"""
            {"registry_manager": {{{{setting}}} "registry_dir": "{{{_context.RegistryDirectory}}}", "semaphore_prefix": "{{{_context.Prefix}}}"}}
            """;
        var options = new RegistryManagerOptions();
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("registry_manager").Bind(options);

        options.SharedWithPython.Should().Be(expected);
        var manager = _context.Track(new RegistryManager(options));
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        File.Exists(_context.OwnerRecordPath("r1")).Should().Be(expected, "the lock file exists exactly when shared with Python");
        (File.Exists(RouterSlot("r1")) && RegistryTestContext.SlotRecord(RouterSlot("r1")) is not null).Should().Be(!expected);
    }
}
