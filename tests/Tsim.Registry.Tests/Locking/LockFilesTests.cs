using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

public sealed class LockFilesTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly LockFiles _files;

    public LockFilesTests()
    {
        _context.EnsureDirectories();
        _files = new LockFiles(_context.LockDirectory, NullLogger.Instance);
    }

    public void Dispose() => _context.Dispose();

    private LockName Router(string name) => LockName.Router(_context.Prefix, name);

    private static OwnerRecord Record(string job) => new()
    {
        Lock = "x",
        JobId = job,
        Pid = 1234,
        StartTime = 5678,
        PidNamespace = "pid:[1]",
        AcquiredAt = new DateTimeOffset(2026, 11, 26, 14, 43, 11, TimeSpan.Zero),
    };

    [Fact]
    public void Paths_FollowCompatibilityContract()
    {
        _files.OwnerRecordPath(Router("r1")).Should().Be(Path.Combine(_context.LockDirectory, $"{_context.Prefix}-router-r1"));
        _files.NotifyPath("r1").Should().Be(Path.Combine(_context.LockDirectory, "router_r1_notify"));
    }

    [Fact]
    public void Paths_OfEveryLock_AreHiddenFilesBesideTheRecords()
    {
        var hosts = LockName.HostsRegistry(_context.Prefix);

        _files.SlotPath(hosts).Should().Be(Path.Combine(_context.LockDirectory, $".{_context.Prefix}-hosts-registry.owner"));
        _files.RecoveryGuardPath(hosts).Should().Be(Path.Combine(_context.LockDirectory, $".{_context.Prefix}-hosts-registry.recovery"));
        _files.SlotPath(Router("r1")).Should().Be(Path.Combine(_context.LockDirectory, $".{_context.Prefix}-router-r1.owner"));
        _files.RecoveryGuardPath(Router("r1")).Should().Be(Path.Combine(_context.LockDirectory, $".{_context.Prefix}-router-r1.recovery"));
    }

    [Fact]
    public void KnownRouters_RecordSlotAndNotifyFiles_ListTheirRoutersOnceInOrdinalOrder()
    {
        string[] files =
        [
            _files.OwnerRecordPath(Router("r3")),
            _files.SlotPath(Router("r1")),
            _files.NotifyPath("R2"),
            _files.NotifyPath("r1"),
            _files.RecoveryGuardPath(Router("guard-only")),
            _files.SlotPath(LockName.HostsRegistry(_context.Prefix)),
            Path.Combine(_context.LockDirectory, "other-router-r9"),
            _files.OwnerRecordPath(Router("r4")) + ".4242.0123456789abcdef.tmp",
        ];
        foreach (var file in files)
        {
            File.WriteAllText(file, string.Empty);
        }

        // A router may be named like a temporary file; an owner record an earlier version left as a temporary file
        // reads as a router of that whole name, whose semaphore does not exist, so it is never listed as held.
        _files.KnownRouters(_context.Prefix).Should().Equal("R2", "r1", "r3", "r4.4242.0123456789abcdef.tmp");
    }

    [Fact]
    public void ReadOwnerRecord_RecordOfAnOlderVersion_RoundTrips()
    {
        _files.WriteLegacyOwnerRecord(Router("r1"), Record("job-1"));

        var read = _files.ReadOwnerRecord(Router("r1"));

        read.Should().BeEquivalentTo(Record("job-1"), o => o.Excluding(r => r.Extra));
    }

    [Fact]
    public void ReadOwnerRecord_Missing_ReturnsNull()
    {
        _files.ReadOwnerRecord(Router("r1")).Should().BeNull();
    }

    [Fact]
    public void ReadOwnerRecord_NotOurShape_ReturnsNull()
    {
        File.WriteAllText(_context.OwnerRecordPath("r1"), "locked by python");

        _files.ReadOwnerRecord(Router("r1")).Should().BeNull();
    }

    [Fact]
    public void DeleteOwnerRecord_RemovesFileAndToleratesMissing()
    {
        _files.WriteLegacyOwnerRecord(Router("r1"), Record("job-1"));

        _files.DeleteOwnerRecord(Router("r1"));
        var again = () => _files.DeleteOwnerRecord(Router("r1"));

        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        again.Should().NotThrow();
    }

    [Fact]
    public void TouchNotify_Missing_CreatesIt()
    {
        _files.TouchNotify("r1");

        File.Exists(_context.NotifyPath("r1")).Should().BeTrue();
    }

    [Fact]
    public void TouchNotify_Existing_UpdatesModificationTimeAndKeepsContent()
    {
        File.WriteAllText(_context.NotifyPath("r1"), "keep");
        var old = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(_context.NotifyPath("r1"), old);

        _files.TouchNotify("r1");

        File.GetLastWriteTimeUtc(_context.NotifyPath("r1")).Should().BeAfter(old);
        File.ReadAllText(_context.NotifyPath("r1")).Should().Be("keep");
    }
}
