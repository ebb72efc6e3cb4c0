using Microsoft.Extensions.Time.Testing;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Hardening;

/// <summary>
/// Deviation 10 (docs/ARCHITECTURE.md): a registry file that does not parse raises <see cref="RegistryCorruptionException"/> naming
/// the file and the position, from every public method that touches it, and is never overwritten;
/// <see cref="RegistryManager.QuarantineCorruptFiles"/> moves it aside, under its lock, for an operator, unless it is
/// JSON all the same: that file stays, and repair says so.
/// </summary>
public sealed class CorruptFileTests : IDisposable
{
    /// <summary>Broken on its second line (zero-based line 1): a doubled comma.</summary>
    private const string Corrupt = "{\"web-1\": {\"primary_ip\": \"10.0.0.1\",\n  \"connected_to\": \"r1\",, \"x\": 1}}";

    private static readonly DateTimeOffset s_now = new(2026, 11, 26, 14, 43, 11, TimeSpan.Zero);

    private readonly RegistryTestContext _context = new();
    private readonly FakeTimeProvider _time = new(s_now);
    private readonly RegistryManager _manager;

    public CorruptFileTests()
    {
        _manager = _context.CreateManager(timeProvider: _time);
    }

    public void Dispose() => _context.Dispose();

    public static TheoryData<string, string> FileOperations => new()
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
        { "host_leases.json", "ReapStaleLeases(dryRun)" },
        { "neighbor_leases.json", nameof(RegistryManager.AcquireNeighborLease) },
        { "neighbor_leases.json", nameof(RegistryManager.ReleaseNeighborLease) },
        { "neighbor_leases.json", nameof(RegistryManager.ReapStaleLeases) },
    };

    [Theory]
    [MemberData(nameof(FileOperations))]
    public void Operation_CorruptFile_ThrowsWithFileAndPositionAndLeavesEveryFileByteIdentical(string fileName, string operation)
    {
        if (fileName != "hosts.json")
        {
            _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        }

        var path = Path.Combine(_context.RegistryDirectory, fileName);
        File.WriteAllText(path, Corrupt);
        var before = _context.Snapshot();

        var act = () => Run(operation);

        var thrown = act.Should().Throw<RegistryCorruptionException>().Which;
        thrown.FilePath.Should().Be(path);
        thrown.LineNumber.Should().Be(1);
        thrown.BytePositionInLine.Should().NotBeNull();
        thrown.Message.Should().Contain($"'{path}' is corrupt at line 2, byte {thrown.BytePositionInLine + 1}").And.Contain("left untouched");
        _context.Snapshot().Should().Equal(before, "a corrupt file is never overwritten, and nothing else changes either");
        _context.TemporaryFiles().Should().BeEmpty();
    }

    [Fact]
    public void RouterLocks_CorruptRegistryFiles_KeepWorking()
    {
        foreach (var path in new[] { _context.HostsPath, _context.HostLeasesPath, _context.NeighborLeasesPath })
        {
            File.WriteAllText(path, Corrupt);
        }

        using (_manager.RouterLock("r1", "job-1"))
        {
            _manager.IsRouterLocked("r1").Should().BeTrue();
        }

        _manager.WaitForRouter("r1", TimeSpan.Zero).Should().BeTrue();
    }

    [Fact]
    public void QuarantineCorruptFiles_NothingCorrupt_MovesNothing()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "r1");
        var before = _context.Snapshot();

        _manager.QuarantineCorruptFiles().Should().BeEmpty();

        _context.Snapshot().Should().Equal(before);
    }

    [Fact]
    public void QuarantineCorruptFiles_TwoCorruptFiles_MovesExactlyThoseAsideWithUtcTimestampBytesUnchanged()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "r1");
        var leases = File.ReadAllBytes(_context.HostLeasesPath);
        File.WriteAllText(_context.HostsPath, Corrupt);
        File.WriteAllText(_context.NeighborLeasesPath, "{\"web-1:10.0.0.2\": ");

        var moved = _manager.QuarantineCorruptFiles();

        moved.Select(m => (m.FilePath, m.QuarantinePath)).Should().Equal(
            (_context.HostsPath, _context.HostsPath + ".corrupt-20261126T144311Z"),
            (_context.NeighborLeasesPath, _context.NeighborLeasesPath + ".corrupt-20261126T144311Z"));
        moved[0].Reason.Should().Contain("corrupt at line 2");
        File.ReadAllText(moved[0].QuarantinePath).Should().Be(Corrupt);
        File.ReadAllText(moved[1].QuarantinePath).Should().Be("{\"web-1:10.0.0.2\": ");
        File.Exists(_context.HostsPath).Should().BeFalse();
        File.ReadAllBytes(_context.HostLeasesPath).Should().Equal(leases, "a file that parses is left alone");
        _manager.ListAllHosts().Should().BeEmpty("the registry starts again from an empty hosts file");
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
    }

    [Fact]
    public void QuarantineCorruptFiles_InvalidUtf8_MovesItAside()
    {
        byte[] invalid = [.. "{\"web-1\": {\"primary_ip\": \"10.0.0.1"u8, 0xFF, .. "\"}}"u8];
        File.WriteAllBytes(_context.HostsPath, invalid);

        var moved = _manager.QuarantineCorruptFiles();

        moved.Should().ContainSingle().Which.FilePath.Should().Be(_context.HostsPath);
        File.ReadAllBytes(moved[0].QuarantinePath).Should().Equal(invalid, "Python's json.load cannot decode it either");
    }

    [Fact]
    public void QuarantineCorruptFiles_DeepButValidPythonFile_LeavesItInPlace()
    {
        var python = NestedJson.PythonHostsFile("py1", "10.0.0.1/24", "r1", "aa:bb:cc:dd:ee:01", additionalInfoLevels: 65);
        File.WriteAllBytes(_context.HostsPath, python);

        _manager.QuarantineCorruptFiles().Should().BeEmpty();

        File.ReadAllBytes(_context.HostsPath).Should().Equal(python);
        _manager.ListAllHosts().Keys.Should().Equal("py1");
    }

    /// <summary>JSON that Python's <c>json.load</c> reads, but not a hosts file this library can use.</summary>
    public static TheoryData<string, string> UnusableJson => new()
    {
        { "[]", "could not be converted" },
        { "null", "its top level is null" },
        { "{\"web-1\": null}", "host 'web-1' is null" },
        { "{\"web-1\": {\"primary_ip\": 5}}", "could not be converted" },
    };

    [Theory]
    [MemberData(nameof(UnusableJson))]
    public void QuarantineCorruptFiles_JsonOfTheWrongShape_LeavesItInPlaceAndThrowsNamingTheProblem(string json, string problem)
    {
        File.WriteAllText(_context.HostsPath, json);
        var before = _context.Snapshot();

        var act = _manager.QuarantineCorruptFiles;

        var thrown = act.Should().Throw<RegistryCorruptionException>().Which;
        thrown.FilePath.Should().Be(_context.HostsPath);
        thrown.Message.Should().Contain(problem).And.Contain("repair does not move it, because it is JSON").And.Contain("correct it by hand");
        _context.Snapshot().Should().Equal(before, "a file that is JSON is never moved");
        var read = () => _manager.ListAllHosts();
        read.Should().Throw<RegistryCorruptionException>().WithMessage($"*{problem}*", "it keeps being refused until corrected");
    }

    [Fact]
    public void QuarantineCorruptFiles_WrongShapeAndBrokenFiles_MovesTheBrokenOneThenThrowsSayingSo()
    {
        File.WriteAllText(_context.HostsPath, "[]");
        File.WriteAllText(_context.NeighborLeasesPath, "[");
        var quarantined = _context.NeighborLeasesPath + ".corrupt-20261126T144311Z";

        var act = _manager.QuarantineCorruptFiles;

        var thrown = act.Should().Throw<RegistryCorruptionException>().Which;
        thrown.FilePath.Should().Be(_context.HostsPath);
        thrown.Message.Should().Contain($"This repair moved '{_context.NeighborLeasesPath}' to '{quarantined}'");
        File.ReadAllText(_context.HostsPath).Should().Be("[]");
        File.ReadAllText(quarantined).Should().Be("[");
        File.Exists(_context.NeighborLeasesPath).Should().BeFalse();
    }

    [Fact]
    public void QuarantineCorruptFiles_SameSecondTwice_NeverReplacesEarlierQuarantine()
    {
        File.WriteAllText(_context.HostsPath, Corrupt);
        var first = _manager.QuarantineCorruptFiles().Single().QuarantinePath;
        File.WriteAllText(_context.HostsPath, "[1, 2");

        var second = _manager.QuarantineCorruptFiles().Single().QuarantinePath;

        second.Should().Be(first + "-2");
        File.ReadAllText(first).Should().Be(Corrupt);
        File.ReadAllText(second).Should().Be("[1, 2");
    }

    [Fact]
    public void QuarantineCorruptFiles_RegistryLockHeldElsewhere_TimesOutAndMovesNothing()
    {
        var manager = _context.CreateManager(o => o.LockTimeouts.HostRegistrySeconds = 0);
        File.WriteAllText(_context.HostsPath, Corrupt);
        _context.OpenSemaphore(_context.HostsLockName).TryWait().Should().BeTrue("another process is in the middle of a write");
        var before = _context.Snapshot();

        var act = manager.QuarantineCorruptFiles;

        act.Should().Throw<RegistryLockTimeoutException>().Which.LockNames.Should().Equal(_context.HostsLockName);
        _context.Snapshot().Should().Equal(before, "the file is judged and moved only under its registry lock");
    }

    private void Run(string operation) => RegistryFileOperations.Run(_manager, operation, "web-1");
}
