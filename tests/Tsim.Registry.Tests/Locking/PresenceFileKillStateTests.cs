using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Hardening;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary>
/// Review of the presence-file design: the on-disk state a router holder (or a recoverer) leaves when SIGKILLed at each
/// step, built by hand, and what a shared-with-Python manager then does with it.
/// Acquire: sem, slot write, link. Release: unlink, slot clear, post. Discard: unlink, slot clear.
/// </summary>
[Collection(SerialTests.Name)]
public sealed class PresenceFileKillStateTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly LockName _r1;

    public PresenceFileKillStateTests()
    {
        _context.EnsureDirectories();
        _r1 = LockName.Router(_context.Prefix, "r1");
    }

    public void Dispose() => _context.Dispose();

    private string LockFile => _context.OwnerRecordPath("r1");

    private RegistryManager Manager() => _context.CreateManager(o => o.LockProbeIntervalSeconds = 0.02);

    private void TakeSemaphore() => _context.OpenSemaphore(_r1.Value).TryWait().Should().BeTrue();

    private OwnerRecord WriteDeadSlotRecord()
    {
        var dead = SlotFile.DeadOwner(_r1.Value);
        using var slotOnly = new OwnerRecords(new LockFiles(_context.LockDirectory, NullLogger.Instance), routerLockFiles: false);
        slotOnly.Write(_r1, dead);
        return dead;
    }

    private string PlantDeadPresenceFile(int deadPid)
    {
        var ns = new string([.. ProcessIdentity.Current.PidNamespace.Where(char.IsAsciiDigit)]);
        var path = Path.Combine(_context.LockDirectory, $".presence-{deadPid}-1-{ns}-1");
        File.WriteAllText(path, "presence of a killed process\n");
        return path;
    }

    [Fact]
    public void KilledAfterLink_NextManagerRecovers_ReplacesTheLockFileWithItsOwnLink_AndSweepsTheDeadPresenceFile()
    {
        TakeSemaphore();
        var dead = WriteDeadSlotRecord();
        var deadPresence = PlantDeadPresenceFile(dead.Pid);
        File.CreateSymbolicLink(LockFile + ".tmp-unused", "/nonexistent"); // Noise in the directory.
        Interop.Libc.Link(deadPresence, LockFile).Should().Be(0);

        var manager = Manager();
        manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(3)).Should().BeTrue();

        var own = Directory.GetFiles(_context.LockDirectory, ".presence-*").Should().ContainSingle("the dead one was swept").Subject;
        FileStatus.Links(LockFile).Inode.Should().Be(FileStatus.Links(own).Inode);
        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        File.Exists(LockFile).Should().BeFalse();
        _context.RouterSemaphoreValue("r1").Should().Be(1);
    }

    [Fact]
    public void KilledAfterUnlinkBeforeSlotClear_NextManagerRecovers()
    {
        TakeSemaphore();
        WriteDeadSlotRecord();

        var manager = Manager();
        manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(3)).Should().BeTrue();
        File.Exists(LockFile).Should().BeTrue();
        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        File.Exists(LockFile).Should().BeFalse();
        _context.RouterSemaphoreValue("r1").Should().Be(1);
    }

    [Fact]
    public void LeftoverLockFileWhileFree_NextHolderReplacesIt_AndItsReleaseRemovesIt()
    {
        File.WriteAllText(LockFile, "leftover");
        var manager = Manager();
        manager.IsRouterLocked("r1").Should().BeFalse("C# goes by the semaphore (Python would say locked)");
        manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(1)).Should().BeTrue();
        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        File.Exists(LockFile).Should().BeFalse();
    }

    /// <summary>
    /// Killed after the semaphore wait and before the slot write (or after the slot clear and before the post): no
    /// record anywhere. Shared with Python there are no gates, so nothing recovers it; only the override frees it.
    /// </summary>
    [Fact]
    public void KilledWithNoRecord_IsWedgedUntilTheOverride_ThenUsable()
    {
        TakeSemaphore();
        var manager = Manager();
        manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(1)).Should().BeFalse();
        manager.ForceReleaseRouterLock("r1").Should().BeTrue();
        manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(1)).Should().BeTrue();
        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        File.Exists(LockFile).Should().BeFalse();
    }

    /// <summary>
    /// A lock file with no slot record while the semaphore is held (a Python holder over a leftover lock file, or any
    /// state where the lock file outlived its record): the override watches, posts, and must not leave a lock file
    /// while the router is free (Python's is_router_locked would report it held).
    /// </summary>
    [Fact]
    public void Override_HeldWithALockFileButNoSlotRecord_LeavesNoLockFileWhileFree()
    {
        TakeSemaphore();
        Interop.Libc.Link(PlantDeadPresenceFile(SlotFile.DeadOwner(_r1.Value).Pid), LockFile).Should().Be(0);
        var manager = Manager();
        manager.ForceReleaseRouterLock("r1").Should().BeTrue();
        _context.RouterSemaphoreValue("r1").Should().Be(1);
        File.Exists(LockFile).Should().BeFalse("free, so Python must see it unlocked");
    }

    /// <summary>
    /// An operator override of a dead holder's lock recorded by an older version (JSON in the lock file, slot empty).
    /// </summary>
    [Fact]
    public void OlderVersionHolderKilled_RecordInTheLockFile_IsRecoveredAndTheLockFileRemoved()
    {
        TakeSemaphore();
        new LockFiles(_context.LockDirectory, NullLogger.Instance).WriteLegacyOwnerRecord(_r1, SlotFile.DeadOwner(_r1.Value));
        var manager = Manager();
        manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(3)).Should().BeTrue();
        FileStatus.Links(LockFile).LinkCount.Should().Be(2, "now a link of the new holder's presence file");
        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        File.Exists(LockFile).Should().BeFalse();
    }
}
