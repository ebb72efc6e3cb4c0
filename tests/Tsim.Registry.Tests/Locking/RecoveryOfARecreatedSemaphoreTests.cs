using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary>
/// A manager keeps the semaphore it opened; when the name is removed and created anew meanwhile, a dead owner's record
/// may name the new instance. Recovery then posts the instance the record names, the one now under the name: it used to
/// discard the record and post nothing, leaving that semaphore held by a dead process, with no record, for ever.
/// </summary>
public sealed class RecoveryOfARecreatedSemaphoreTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void DeadOwnersRecordNamesTheSemaphoreNowUnderTheName_ManagerWithAnOlderHandle_RecoversThatOne()
    {
        var lockName = _context.RouterLockName("r3");
        var manager = _context.CreateManager();
        manager.AcquireRouterLock("r3", "warm-up").Should().BeTrue(); // The manager now keeps instance A open.
        manager.ReleaseRouterLock("r3", "warm-up").Should().BeTrue();
        var oldInstance = _context.OpenSemaphore(lockName);
        oldInstance.TryWait().Should().BeTrue("someone holds A (as a Python process would, without a record)");

        NamedSemaphore.Unlink("/" + lockName).Should().BeTrue(); // An operator removes the name...
        var newInstance = _context.OpenSemaphore(lockName);      // ...and another process creates B and holds it,
        newInstance.TryWait().Should().BeTrue();
        var dead = SlotFile.DeadOwner(lockName);                  // then dies holding it.
        dead.Semaphore = newInstance.Instance;
        File.WriteAllBytes(_context.OwnerRecordPath("r3"), SlotFile.Json(dead));

        manager.AcquireRouterLock("r3", "job", TimeSpan.Zero).Should().BeFalse("A is still held");

        newInstance.GetValue().Should().Be(1, "the dead owner's hold of B was recovered, not dropped");
        File.Exists(_context.OwnerRecordPath("r3")).Should().BeFalse();
        oldInstance.Post();
    }

    [Fact]
    public void DeadOwnersRecordNamesASemaphoreNoLongerUnderTheName_NothingIsPosted()
    {
        var lockName = _context.RouterLockName("r4");
        var holder = _context.OpenSemaphore(lockName);
        holder.TryWait().Should().BeTrue("someone without a record (a Python process) holds the semaphore under the name");
        var dead = SlotFile.DeadOwner(lockName);
        dead.Semaphore = "0:0:1:0.000000000"; // An instance long gone.
        _context.EnsureDirectories();
        File.WriteAllBytes(_context.OwnerRecordPath("r4"), SlotFile.Json(dead));
        var manager = _context.CreateManager();

        manager.AcquireRouterLock("r4", "job", TimeSpan.Zero).Should().BeFalse();

        holder.GetValue().Should().Be(0, "posting would let a second holder in beside the one under the name");
        File.Exists(_context.OwnerRecordPath("r4")).Should().BeFalse("a record of a semaphore no longer under the name proves nothing");
        holder.Post();
    }
}
