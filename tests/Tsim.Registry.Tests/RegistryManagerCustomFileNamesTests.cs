using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>
/// A manager configured with other file names (<see cref="RegistryManagerOptions.RegistryFiles"/>, tsim's
/// <c>host_registry.json</c> for one) reads and writes only those files, in every operation that touches a registry
/// file: registration, leases, neighbour leases, reaping, repair. The specification's names never appear.
/// </summary>
public sealed class RegistryManagerCustomFileNamesTests : IDisposable
{
    /// <summary>A pid above any pid_max: no process has it.</summary>
    private const int DeadPid = int.MaxValue;

    private static readonly DateTimeOffset s_now = new(2026, 11, 26, 14, 43, 11, TimeSpan.Zero);

    private readonly RegistryTestContext _context = new();
    private readonly FakeTimeProvider _time = new(s_now);
    private readonly RegistryManager _manager;

    public RegistryManagerCustomFileNamesTests()
    {
        _manager = _context.CreateManager(
            o => o.RegistryFiles = new RegistryFileNames { Hosts = "host_registry.json", HostLeases = "my_leases.json", NeighborLeases = "my_neighbors.json" },
            _time);
    }

    public void Dispose() => _context.Dispose();

    private string HostsPath => Path.Combine(_context.RegistryDirectory, "host_registry.json");

    private string HostLeasesPath => Path.Combine(_context.RegistryDirectory, "my_leases.json");

    private string NeighborLeasesPath => Path.Combine(_context.RegistryDirectory, "my_neighbors.json");

    /// <summary>The names in the registry directory itself (the lock directory is one of them).</summary>
    private string[] RegistryDirectoryEntries() =>
        [.. Directory.EnumerateFileSystemEntries(_context.RegistryDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void FilePaths_AreTheConfiguredNamesInTheRegistryDirectory()
    {
        _manager.HostsFilePath.Should().Be(HostsPath);
        _manager.HostLeasesFilePath.Should().Be(HostLeasesPath);
        _manager.NeighborLeasesFilePath.Should().Be(NeighborLeasesPath);
    }

    [Fact]
    public void FilePaths_Default_AreTheSpecificationsFiles()
    {
        var manager = _context.CreateManager();

        manager.HostsFilePath.Should().Be(_context.HostsPath);
        manager.HostLeasesFilePath.Should().Be(_context.HostLeasesPath);
        manager.NeighborLeasesFilePath.Should().Be(_context.NeighborLeasesPath);
    }

    [Fact]
    public void EveryOperation_WritesOnlyTheConfiguredFiles()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "r1").Should().Be(1);
        _manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.7").Should().Be(1);
        _manager.GetHostLeaseCount("web-1").Should().Be(1);
        _manager.ListHostLeases().Keys.Should().Equal("web-1");
        _manager.ListAllHosts().Keys.Should().Equal("web-1");
        _manager.ReapStaleLeases().HostLeases.Should().BeEmpty("the lease's process is this one");
        _manager.QuarantineCorruptFiles().Should().BeEmpty();

        RegistryDirectoryEntries().Should().Equal("host_registry.json", "locks", "my_leases.json", "my_neighbors.json");
        JsonNode.Parse(File.ReadAllText(HostsPath))!["web-1"]!["primary_ip"]!.GetValue<string>().Should().Be("10.0.0.1");
        JsonNode.Parse(File.ReadAllText(HostLeasesPath))!["web-1"]!["leases"]!.AsArray().Should().ContainSingle();
        JsonNode.Parse(File.ReadAllText(NeighborLeasesPath))!["web-1:10.0.0.7"]!["leases"]!.AsArray().Should().ContainSingle();

        _manager.ReleaseNeighborLease("run-1", "web-1", "10.0.0.7");
        _manager.ReleaseSourceHostLease("run-1", "web-1");
        _manager.UnregisterHost("web-1").Should().BeTrue();

        RegistryDirectoryEntries().Should().Equal("host_registry.json", "locks", "my_leases.json", "my_neighbors.json");
        File.ReadAllText(HostsPath).Should().NotContain("web-1");
    }

    [Fact]
    public void FilesOfTheSpecificationsNames_AreNeitherReadNorWritten()
    {
        _context.EnsureDirectories();
        File.WriteAllText(_context.HostsPath, PythonFiles.Hosts);
        File.WriteAllText(_context.HostLeasesPath, PythonFiles.HostLeases);
        File.WriteAllText(_context.NeighborLeasesPath, PythonFiles.NeighborLeases);
        var before = _context.Snapshot();

        _manager.ListAllHosts().Should().BeEmpty();
        _manager.ListHostLeases().Should().BeEmpty();
        _manager.CheckAndRegisterHost("web-1", "10.0.0.10", "router-1", "aa:bb:cc:dd:ee:01").Should().BeTrue("web-1 of hosts.json is not in this registry");
        _manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.1").Should().Be(1);

        foreach (var file in new[] { "hosts.json", "host_leases.json", "neighbor_leases.json" })
        {
            _context.Snapshot()[file].Should().Be(before[file], file);
        }
    }

    [Fact]
    public void ReapStaleLeases_ReapsTheConfiguredLeaseFiles()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();
        File.WriteAllText(HostLeasesPath, $$$"""
            {"web-1": {"router": "r1", "leases": [{"run_id": "run-dead", "pid": {{{DeadPid}}}, "job_type": "quick", "dscp": null, "allocated_at": 1795704200.5}]}}
            """);
        File.WriteAllText(NeighborLeasesPath, $$$"""
            {"web-1:10.0.0.7": {"host_name": "web-1", "neighbor_ip": "10.0.0.7", "leases": [{"run_id": "run-dead", "pid": {{{DeadPid}}}, "allocated_at": 1795704200.5}]}}
            """);

        var dryRun = _manager.ReapStaleLeases(dryRun: true);
        var report = _manager.ReapStaleLeases();

        dryRun.HostLeases.Select(l => (l.Key, l.RunId, l.Pid)).Should().Equal(("web-1", "run-dead", DeadPid));
        report.HostLeases.Select(l => (l.Key, l.RunId, l.Pid)).Should().Equal(("web-1", "run-dead", DeadPid));
        report.NeighborLeases.Select(l => (l.Key, l.RunId, l.Pid)).Should().Equal(("web-1:10.0.0.7", "run-dead", DeadPid));
        report.HostsReleased.Should().Equal("web-1");
        report.NeighborEntriesReleased.Should().Equal("web-1:10.0.0.7");
        _manager.GetHostLeaseCount("web-1").Should().Be(0);
        File.ReadAllText(HostLeasesPath).Should().NotContain("run-dead");
        File.ReadAllText(NeighborLeasesPath).Should().NotContain("run-dead");
        RegistryDirectoryEntries().Should().Equal("host_registry.json", "locks", "my_leases.json", "my_neighbors.json");
    }

    [Fact]
    public void QuarantineCorruptFiles_CorruptConfiguredHostsFile_MovesThatFile()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();
        File.WriteAllText(HostsPath, "{\"web-1\": ");
        File.WriteAllText(NeighborLeasesPath, "[");

        var moved = _manager.QuarantineCorruptFiles();

        moved.Select(m => (m.FilePath, m.QuarantinePath)).Should().Equal(
            (HostsPath, HostsPath + ".corrupt-20261126T144311Z"),
            (NeighborLeasesPath, NeighborLeasesPath + ".corrupt-20261126T144311Z"));
        File.ReadAllText(HostsPath + ".corrupt-20261126T144311Z").Should().Be("{\"web-1\": ");
        RegistryDirectoryEntries().Should().Equal(
            "host_registry.json.corrupt-20261126T144311Z", "locks", "my_neighbors.json.corrupt-20261126T144311Z");
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue("the registry starts again from an empty hosts file");
        File.Exists(HostsPath).Should().BeTrue();
        File.Exists(_context.HostsPath).Should().BeFalse();
    }

    [Theory]
    [InlineData("host_registry.json")]
    [InlineData("my_leases.json")]
    [InlineData("my_neighbors.json")]
    public void CorruptConfiguredFile_ThrowsNamingIt(string fileName)
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();
        var path = Path.Combine(_context.RegistryDirectory, fileName);
        File.WriteAllText(path, "{,}");

        var act = () =>
        {
            _manager.ListAllHosts();
            _manager.ListHostLeases();
            _manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.7");
        };

        act.Should().Throw<RegistryCorruptionException>().Which.FilePath.Should().Be(path);
    }
}
