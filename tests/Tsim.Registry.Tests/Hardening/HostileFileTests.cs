using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Hardening;

/// <summary>
/// Deviations 7 and 9 (docs/ARCHITECTURE.md): a symlink planted under a registry file's name, a temp file's name, an owner record's
/// or a notify file's name is never followed: reads refuse, writes never land behind the link, the link's target is
/// left byte-identical.
/// </summary>
public sealed class HostileFileTests : IDisposable
{
    private const string VictimContent = """{"victim": {"primary_ip": "10.9.9.9", "connected_to": "r9", "mac_address": "aa:bb:cc:dd:ee:99"}}""";

    private readonly RegistryTestContext _context = new();
    private readonly RegistryManager _manager;
    private readonly string _victim;

    public HostileFileTests()
    {
        // One attempt: an I/O error (ELOOP) is otherwise retried with a pause, which only slows the test down.
        _manager = _context.CreateManager(o => o.RetryAttempts = 1);
        _victim = Path.Combine(_context.RegistryDirectory, "victim-outside");
        File.WriteAllText(_victim, VictimContent); // Valid JSON of every file's shape: following the link would "work".
    }

    public void Dispose() => _context.Dispose();

    public static TheoryData<string, string> SymlinkedFileOperations => new()
    {
        { "hosts.json", nameof(RegistryManager.CheckAndRegisterHost) },
        { "hosts.json", nameof(RegistryManager.UnregisterHost) },
        { "hosts.json", nameof(RegistryManager.GetHostInfo) },
        { "hosts.json", nameof(RegistryManager.ListAllHosts) },
        { "hosts.json", nameof(RegistryManager.AcquireSourceHostLease) },
        { "host_leases.json", nameof(RegistryManager.AcquireSourceHostLease) },
        { "host_leases.json", nameof(RegistryManager.ReleaseSourceHostLease) },
        { "host_leases.json", nameof(RegistryManager.GetHostLeaseCount) },
        { "host_leases.json", nameof(RegistryManager.ListHostLeases) },
        { "host_leases.json", nameof(RegistryManager.ReapStaleLeases) },
        { "neighbor_leases.json", nameof(RegistryManager.AcquireNeighborLease) },
        { "neighbor_leases.json", nameof(RegistryManager.ReleaseNeighborLease) },
        { "neighbor_leases.json", nameof(RegistryManager.ReapStaleLeases) },
    };

    [Theory]
    [MemberData(nameof(SymlinkedFileOperations))]
    public void Operation_RegistryFileIsSymlink_RefusesToFollowAndLeavesTargetUntouched(string fileName, string operation)
    {
        if (fileName != "hosts.json")
        {
            _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        }

        var path = Path.Combine(_context.RegistryDirectory, fileName);
        File.CreateSymbolicLink(path, _victim);
        var before = File.ReadAllBytes(_victim);

        var act = () => Run(operation);

        act.Should().Throw<RegistryException>()
            .Which.Should().NotBeOfType<RegistryCorruptionException>()
            .And.Subject.As<RegistryException>().Message.Should().Contain($"'{path}' is a symbolic link");
        File.ReadAllBytes(_victim).Should().Equal(before);
        FileStatus.Of(path).IsSymlink.Should().BeTrue("the link is reported, not replaced");
        _context.TemporaryFiles().Should().BeEmpty();
    }

    [Fact]
    public void Write_SymlinksAtPredictableTempNames_AreNeitherFollowedNorReplaced()
    {
        // A writer with a fixed or guessable temp name (the specification's hosts.tmp, or name + pid) opened without
        // O_EXCL would write through any of these links. Ours is unique and created exclusively.
        var pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] names = ["hosts.tmp", "hosts.json.tmp", ".hosts.json.tmp", $".hosts.json.{pid}.tmp", $"hosts.json.{pid}.tmp", "host_leases.tmp", $".host_leases.json.{pid}.tmp"];
        var links = names.Select(n => Path.Combine(_context.RegistryDirectory, n)).ToArray();
        foreach (var link in links)
        {
            File.CreateSymbolicLink(link, _victim);
        }

        var before = File.ReadAllBytes(_victim);

        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "r1").Should().Be(1);
        _manager.UnregisterHost("web-1").Should().BeTrue();

        File.ReadAllBytes(_victim).Should().Equal(before);
        links.Should().AllSatisfy(l => FileStatus.Of(l).IsSymlink.Should().BeTrue());
        FileStatus.Of(_context.HostsPath).IsSymlink.Should().BeFalse();
        _manager.ListAllHosts().Should().BeEmpty();
    }

    [Fact]
    public void AcquireRouterLock_LockFileNameIsSymlink_ReplacesTheLinkItselfAndLeavesTheTarget()
    {
        _context.EnsureDirectories();
        var lockFile = _context.OwnerRecordPath("r1");
        File.CreateSymbolicLink(lockFile, _victim);
        var before = File.ReadAllBytes(_victim);

        _manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();

        FileStatus.Of(lockFile).IsSymlink.Should().BeFalse("the router is held, so the name is the holder's: the planted link is removed, not followed");
        File.ReadAllBytes(_victim).Should().Equal(before);
        _manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        Path.Exists(lockFile).Should().BeFalse();
        File.ReadAllBytes(_victim).Should().Equal(before);
    }

    [Fact]
    public void AcquireRouterLock_DirectoryUnderTheLockFilesName_IsRefusedAndTheLockGivenBack()
    {
        _context.EnsureDirectories();
        Directory.CreateDirectory(Path.Combine(_context.OwnerRecordPath("r1"), "child"));

        var act = () => _manager.AcquireRouterLock("r1", "job-1");

        act.Should().Throw<RegistryException>().WithMessage($"*create the router lock file*'{_context.OwnerRecordPath("r1")}'*");
        _context.RouterSemaphoreValue("r1").Should().Be(1, "a lock whose lock file cannot be made is given back");
        _manager.GetRouterLockOwner("r1").Should().BeNull("no record outlives the failed hold");
    }

    [Fact]
    public void ReleaseRouterLock_NotifyFileIsSymlink_ReleasesWithoutTouchingTarget()
    {
        _context.EnsureDirectories();
        File.CreateSymbolicLink(_context.NotifyPath("r1"), _victim);
        var before = File.ReadAllBytes(_victim);
        var modified = File.GetLastWriteTimeUtc(_victim);
        _manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();

        _manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();

        File.ReadAllBytes(_victim).Should().Equal(before);
        File.GetLastWriteTimeUtc(_victim).Should().Be(modified, "touching the notify file must not touch the link's target");
        _context.RouterSemaphoreValue("r1").Should().Be(1);
    }

    private void Run(string operation) => RegistryFileOperations.Run(_manager, operation, "victim");
}
