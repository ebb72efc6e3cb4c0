using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Locking;
using Tsim.Registry.Security;
using Tsim.Registry.Tests.Hardening;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary>
/// <see cref="OwnerRecords"/>: where each lock keeps its owner record. Registry locks always in their slot; router
/// locks in the compatibility file <c>LOCKDIR/PREFIX-router-NAME</c>, or in a slot when the registry is not shared
/// with Python. Readers, recovery and the operator override look in both places. Two instances with different
/// settings on one lock directory stand for two differently configured processes.
/// </summary>
public sealed class OwnerRecordsTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly LockFiles _files;
    private readonly OwnerRecords _shared;
    private readonly OwnerRecords _private;

    public OwnerRecordsTests()
    {
        _context.EnsureDirectories();
        _files = new LockFiles(_context.LockDirectory, NullLogger.Instance);
        _shared = _context.Track(new OwnerRecords(_files, routerLockFiles: true));
        _private = _context.Track(new OwnerRecords(_files, routerLockFiles: false));
    }

    public void Dispose() => _context.Dispose();

    public static TheoryData<string> RegistryLocks => new() { "hosts-registry", "host-leases", "neighbor-leases" };

    private LockName Router(string name) => LockName.Router(_context.Prefix, name);

    private LockName RegistryLock(string suffix) => suffix switch
    {
        "hosts-registry" => LockName.HostsRegistry(_context.Prefix),
        "host-leases" => LockName.HostLeases(_context.Prefix),
        _ => LockName.NeighborLeases(_context.Prefix),
    };

    private string SlotPath(LockName name) => _context.SlotPath(name.Value);

    private string FilePath(LockName name) => Path.Combine(_context.LockDirectory, name.Value);

    [Theory]
    [MemberData(nameof(RegistryLocks))]
    public void RegistryLock_EitherSetting_RecordLivesInTheSlotAndNeverInAFile(string suffix)
    {
        var name = RegistryLock(suffix);
        foreach (var records in new[] { _shared, _private })
        {
            records.Write(name, SlotFile.LiveOwner(name.Value, "registry-1"));

            RegistryTestContext.SlotRecord(SlotPath(name)).Should().Contain("\"job_id\":\"registry-1\"");
            File.Exists(FilePath(name)).Should().BeFalse();
            records.Read(name)!.JobId.Should().Be("registry-1");

            records.Remove(name).Should().BeTrue();
            RegistryTestContext.SlotRecord(SlotPath(name)).Should().BeNull();
            records.Read(name).Should().BeNull();
        }
    }

    [Fact]
    public void Router_SharedWithPython_RecordIsInTheSlotAndTheLockFileALinkOfThePresenceFile()
    {
        var r1 = Router("r1");
        var r2 = Router("r2");

        _shared.Write(r1, SlotFile.LiveOwner(r1.Value, "job-1"));
        _shared.Write(r2, SlotFile.LiveOwner(r2.Value, "job-2"));

        RegistryTestContext.SlotRecord(SlotPath(r1)).Should().Contain("\"job_id\":\"job-1\"");
        var presence = Directory.GetFiles(_context.LockDirectory, ".presence-*").Should().ContainSingle().Subject;
        var lockFile = FileStatus.Links(FilePath(r1));
        lockFile.Inode.Should().Be(FileStatus.Links(presence).Inode, "a lock file is a hard link of the manager's presence file");
        lockFile.LinkCount.Should().Be(3, "the presence file and the lock files of r1 and r2");
        File.ReadAllText(FilePath(r1)).Should().StartWith("router lock file of a tsim-registry process");
        _shared.Read(r1)!.JobId.Should().Be("job-1");
        _files.ReadOwnerRecord(r1).Should().BeNull("the lock file holds no record, so no reader mistakes it for one");

        _shared.Remove(r1).Should().BeTrue();
        File.Exists(FilePath(r1)).Should().BeFalse();
        RegistryTestContext.SlotRecord(SlotPath(r1)).Should().BeNull();
        FileStatus.Links(FilePath(r2)).LinkCount.Should().Be(2);
    }

    [Fact]
    public void Router_SharedWithPython_LockFileThatCannotBeRemoved_KeepsTheRecordAndReportsFalse()
    {
        var name = Router("r1");
        _shared.Write(name, SlotFile.LiveOwner(name.Value, "job-1"));
        File.Delete(FilePath(name));
        Directory.CreateDirectory(FilePath(name)); // unlinkat(2) of a directory fails with EISDIR.

        _shared.Remove(name).Should().BeFalse("a lock file Python would see for ever keeps the lock held");

        _shared.Read(name)!.JobId.Should().Be("job-1", "the record stays with the hold, so a waiter recovers it once this process is gone");
    }

    [Fact]
    public void Router_SharedWithPython_LockFileAlreadyGone_RemoveSucceeds()
    {
        var name = Router("r1");
        _shared.Write(name, SlotFile.LiveOwner(name.Value, "job-1"));
        File.Delete(FilePath(name));

        _shared.Remove(name).Should().BeTrue("an absent lock file is what a release wants");

        _shared.Read(name).Should().BeNull();
    }

    [Fact]
    public void Router_SharedWithPython_PresenceFileRemovedUnderTheManager_IsMadeAgain()
    {
        var name = Router("r1");
        _shared.Write(name, SlotFile.LiveOwner(name.Value, "job-1"));
        _shared.Remove(name).Should().BeTrue();
        File.Delete(Directory.GetFiles(_context.LockDirectory, ".presence-*").Single());

        _shared.Write(name, SlotFile.LiveOwner(name.Value, "job-2"));

        File.Exists(FilePath(name)).Should().BeTrue();
        Directory.GetFiles(_context.LockDirectory, ".presence-*").Should().ContainSingle();
        _shared.Remove(name).Should().BeTrue();
    }

    [Fact]
    public void PresenceFile_Creation_RemovesThoseOfDeadProcessesOfThisNamespaceOnly()
    {
        var self = ProcessIdentity.Current;
        var namespaceId = new string([.. self.PidNamespace.Where(char.IsAsciiDigit)]);
        var dead = SlotFile.DeadOwner("any");
        var ofTheDead = Path.Combine(_context.LockDirectory, $".presence-{dead.Pid}-{dead.StartTime}-{namespaceId}-1");
        var ofAnotherNamespace = Path.Combine(_context.LockDirectory, $".presence-{dead.Pid}-{dead.StartTime}-1{namespaceId}-1");
        var ofThisLiveProcess = Path.Combine(_context.LockDirectory, $".presence-{self.Pid}-{self.StartTime}-{namespaceId}-0");
        foreach (var path in new[] { ofTheDead, ofAnotherNamespace, ofThisLiveProcess })
        {
            File.WriteAllText(path, "planted");
        }

        var name = Router("r1");
        _shared.Write(name, SlotFile.LiveOwner(name.Value, "job-1"));

        File.Exists(ofTheDead).Should().BeFalse();
        File.Exists(ofAnotherNamespace).Should().BeTrue("a pid of another namespace cannot be judged here");
        File.Exists(ofThisLiveProcess).Should().BeTrue();
        _shared.Remove(name).Should().BeTrue();
    }

    [Fact]
    public void PresenceFile_Dispose_RemovesItButNotALockFileStillLinkedToIt()
    {
        var records = new OwnerRecords(_files, routerLockFiles: true);
        var name = Router("r1");
        records.Write(name, SlotFile.LiveOwner(name.Value, "job-1"));

        records.Dispose();

        Directory.GetFiles(_context.LockDirectory, ".presence-*").Should().BeEmpty();
        File.Exists(FilePath(name)).Should().BeTrue("a lock file is a name of its own: it goes when its hold ends");
    }

    [Fact]
    public void Router_NotShared_RecordIsInTheSlotAndNoCompatibilityFileIsCreated()
    {
        var name = Router("r1");

        _private.Write(name, SlotFile.LiveOwner(name.Value, "job-1"));

        File.Exists(FilePath(name)).Should().BeFalse();
        RegistryTestContext.SlotRecord(SlotPath(name)).Should().Contain("\"job_id\":\"job-1\"");
        _private.Read(name)!.JobId.Should().Be("job-1");

        _private.Remove(name).Should().BeTrue();
        RegistryTestContext.SlotRecord(SlotPath(name)).Should().BeNull();
        File.Exists(FilePath(name)).Should().BeFalse();
    }

    [Fact]
    public void Router_ReadersOfEitherSetting_FindARecordWrittenWithTheOtherOrByAnOlderVersion()
    {
        var r1 = Router("r1");
        var r2 = Router("r2");

        _private.Write(r1, SlotFile.LiveOwner(r1.Value, "private"));
        _shared.Write(r2, SlotFile.LiveOwner(r2.Value, "shared"));
        var r3 = Router("r3");
        _files.WriteLegacyOwnerRecord(r3, SlotFile.LiveOwner(r3.Value, "in-file"));

        _shared.Read(r1)!.JobId.Should().Be("private");
        _private.Read(r2)!.JobId.Should().Be("shared");
        _private.Read(r1)!.JobId.Should().Be("private");
        _shared.Read(r2)!.JobId.Should().Be("shared");
        _shared.Read(r3)!.JobId.Should().Be("in-file", "a record in the lock file, written by an older version, is still read");
        _private.Read(r3)!.JobId.Should().Be("in-file");
    }

    [Fact]
    public void Discard_RecordInBothPlaces_ClearsBoth()
    {
        var name = Router("r1");
        _private.Write(name, SlotFile.DeadOwner(name.Value, "in-slot"));
        _files.WriteLegacyOwnerRecord(name, SlotFile.DeadOwner(name.Value, "in-file"));

        _shared.Discard(name).Should().BeTrue();

        File.Exists(FilePath(name)).Should().BeFalse();
        RegistryTestContext.SlotRecord(SlotPath(name)).Should().BeNull();
        _shared.Read(name).Should().BeNull();
        _private.Read(name).Should().BeNull();
    }

    [Fact]
    public void Discard_NothingRecorded_CreatesNoSlotAndNoFile()
    {
        var name = Router("r1");

        _private.Discard(name).Should().BeTrue();
        _shared.Discard(RegistryLock("hosts-registry")).Should().BeTrue();

        Directory.GetFileSystemEntries(_context.LockDirectory).Should().BeEmpty();
    }

    [Fact]
    public void Discard_SlotLeftOddByAKilledWriter_LeavesItEvenAndEmpty()
    {
        var name = RegistryLock("hosts-registry");
        _shared.Write(name, SlotFile.LiveOwner(name.Value, "x"));
        SlotFile.WriteRaw(SlotPath(name), sequence: 9, length: 5, Encoding.UTF8.GetBytes("{\"jo"));
        _shared.Read(name).Should().BeNull("a half-written record is unusable");

        _shared.Discard(name).Should().BeTrue();

        (SlotFile.Sequence(SlotPath(name)) % 2).Should().Be(0);
        RegistryTestContext.SlotRecord(SlotPath(name)).Should().BeNull();
        var reader = _context.Track(OwnerRecordSlot.Open(SlotPath(name), AccessPolicy.Private, create: false)!);
        reader.Read().Should().Match<SlotContent>(c => c.Usable && c.Record.Length == 0);
    }

    [Fact]
    public void Read_SlotRecordNotOurShape_IsNull()
    {
        var name = Router("r1");
        _private.Write(name, SlotFile.LiveOwner(name.Value, "x"));
        var slot = _context.Track(OwnerRecordSlot.Open(SlotPath(name), AccessPolicy.Private, create: false)!);

        slot.Write(Encoding.UTF8.GetBytes("locked by someone else"));

        _private.Read(name).Should().BeNull();
        _shared.Read(name).Should().BeNull();
    }

    [Fact]
    public void Snapshot_NothingAnywhere_IsEmptyWithoutASlot()
    {
        var snapshot = _shared.Snapshot(Router("r1"));

        snapshot.IsEmpty.Should().BeTrue();
        snapshot.SlotSequence.Should().Be(-1);
        snapshot.File.Should().BeNull();
    }

    [Fact]
    public void Snapshot_UnchangedRecord_IsSameAsAnEarlierOne()
    {
        var name = Router("r1");
        _private.Write(name, SlotFile.LiveOwner(name.Value, "x"));
        _shared.Write(Router("r2"), SlotFile.LiveOwner(name.Value, "y"));

        _shared.Snapshot(name).SameAs(_private.Snapshot(name)).Should().BeTrue();
        _shared.Snapshot(Router("r2")).SameAs(_shared.Snapshot(Router("r2"))).Should().BeTrue();
        _shared.Snapshot(name).IsEmpty.Should().BeFalse();
    }

    [Fact]
    public void Snapshot_SlotCycledBackToEmpty_IsNotSameAs()
    {
        // The operator override watches for any hand-over: a holder that acquired and released in between leaves
        // the slot empty again, but with another sequence.
        var name = Router("r1");
        _private.Write(name, SlotFile.LiveOwner(name.Value, "x"));
        _private.Remove(name);
        var before = _shared.Snapshot(name);

        _private.Write(name, SlotFile.LiveOwner(name.Value, "y"));
        _private.Remove(name);
        var after = _shared.Snapshot(name);

        before.IsEmpty.Should().BeTrue();
        after.IsEmpty.Should().BeTrue();
        after.SameAs(before).Should().BeFalse();
    }

    [Fact]
    public void Snapshot_RecordOfAnOlderVersionRewritten_IsNotSameAs()
    {
        var name = Router("r1");
        _files.WriteLegacyOwnerRecord(name, SlotFile.LiveOwner(name.Value, "x"));
        var before = _shared.Snapshot(name);

        _files.WriteLegacyOwnerRecord(name, SlotFile.LiveOwner(name.Value, "y"));

        _shared.Snapshot(name).SameAs(before).Should().BeFalse();
        before.File.Should().NotBeNull();
    }

    [Fact]
    public void Snapshot_SlotLeftOdd_IsNotEmpty()
    {
        var name = RegistryLock("host-leases");
        _shared.Write(name, SlotFile.LiveOwner(name.Value, "x"));
        SlotFile.WriteRaw(SlotPath(name), sequence: 3, length: 0);

        var snapshot = _shared.Snapshot(name);

        snapshot.IsEmpty.Should().BeFalse("an unusable slot is something to clear before the lock is forced free");
        snapshot.SlotEmpty.Should().BeFalse();
        snapshot.SlotSequence.Should().Be(3);
    }

    [Fact]
    public void Disposed_RefusesFurtherUse()
    {
        var records = new OwnerRecords(_files, routerLockFiles: false);
        records.Write(Router("r1"), SlotFile.LiveOwner("x", "x"));
        records.Dispose();

        var act = () => records.Read(Router("r1"));

        act.Should().Throw<ObjectDisposedException>();
    }
}
