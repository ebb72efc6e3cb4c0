using FluentAssertions.Execution;
using Tsim.Registry.Locking;
using Tsim.Registry.Security;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary>
/// what a gate holder concludes from a free gate over a taken semaphore, and what the
/// override concludes from the gate.
/// </summary>
public sealed class GateRecoveryJudgementTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    /// <summary>
    /// A holder that takes the semaphore without a gate but writes a complete owner record naming itself, alive: a
    /// process of the previous release of this library with <c>shared_with_python: false</c> (which had no gates and
    /// takes no mark) during a rolling upgrade. The gate holder's recovery (<c>TryRecoverUnderGate</c>) never reads the
    /// record's liveness: it discards a live owner's record and grants its lock again.
    /// </summary>
    [Fact]
    public void GateRecovery_NeverDiscardsTheRecordOfALiveOwner()
    {
        var manager = _context.CreateManager(o => o.SharedWithPython = false);
        manager.AcquireRouterLock("r1", "setup").Should().BeTrue(); // Creates the semaphore and the slot.
        manager.ReleaseRouterLock("r1", "setup").Should().BeTrue();
        var lockName = _context.RouterLockName("r1");

        // The holder: semaphore taken, its record written, and alive (this very process).
        _context.OpenSemaphore(lockName).TryWait().Should().BeTrue();
        var slot = _context.Track(OwnerRecordSlot.Open(_context.SlotPath(lockName), AccessPolicy.Private, create: false)!);
        slot.Write(SlotFile.Json(SlotFile.LiveOwner(lockName, "old-release-job")));
        manager.GetRouterLockOwner("r1")!.JobId.Should().Be("old-release-job");

        var granted = manager.AcquireRouterLock("r1", "new-release-job", TimeSpan.FromMilliseconds(500));

        using (new AssertionScope())
        {
            granted.Should().BeFalse("the recorded owner of the lock is alive");
            manager.GetRouterLockOwner("r1")?.JobId.Should().Be("old-release-job", "a live owner's record is never discarded");
        }
    }

    /// <summary>
    /// The override refuses outright when the gate is held by another manager or process. A query through the manager's
    /// own open file (F_OFD_GETLK) never reports the manager's own lock, so a thread of the same manager that holds the
    /// gate and the semaphore without a record (between its wait and its record, or between clearing it and posting)
    /// must be seen through the gate's in-process part; otherwise it would only be watched for 500 ms, and forced free if
    /// it were paused for longer (a GC, a starved thread), although the gate says it is alive.
    /// </summary>
    [Fact]
    public void Override_ThroughTheHoldersOwnManager_RefusesWhileTheGateIsHeld_AsItDoesThroughAnotherManager()
    {
        var manager = _context.CreateManager(o => o.SharedWithPython = false);
        var other = _context.CreateManager(o => o.SharedWithPython = false);
        manager.AcquireRouterLock("r1", "setup").Should().BeTrue();
        manager.ReleaseRouterLock("r1", "setup").Should().BeTrue();
        var lockName = LockName.Router(_context.Prefix, "r1");

        // A thread of `manager` between its wait and its record: the manager's gate, the semaphore, no record yet.
        var gate = manager.Locks.GateOf(lockName)!;
        gate.TryEnter().Should().BeTrue();
        _context.OpenSemaphore(lockName.Value).TryWait().Should().BeTrue();
        try
        {
            ((Action)(() => other.ForceReleaseRouterLock("r1"))).Should().Throw<InvalidOperationException>().WithMessage("*gate*");

            ((Action)(() => manager.ForceReleaseRouterLock("r1"))).Should().Throw<InvalidOperationException>(
                "the gate is held by a thread of this manager: a live holder, exactly as seen from another manager");
        }
        finally
        {
            if (_context.RouterSemaphoreValue("r1") == 0)
            {
                _context.OpenSemaphore(lockName.Value).Post();
            }

            gate.Exit();
        }
    }
}
