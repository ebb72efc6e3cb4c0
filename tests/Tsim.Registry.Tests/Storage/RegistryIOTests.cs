using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Storage;

public sealed class RegistryIOTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly RegistryIO _io;

    public RegistryIOTests()
    {
        _context.EnsureDirectories();
        _io = new RegistryIO(_context.RegistryDirectory, 3, TimeSpan.Zero, NullLogger.Instance);
    }

    public void Dispose() => _context.Dispose();

    public static TheoryData<string> CorruptDocuments => new()
    {
        "{\"web-1\": {\"primary_ip\": \"10.0.0.1\"",
        "null",
        "[]",
        "[{\"web-1\": {}}]",
        "42",
        "\"hosts\"",
        "{\"web-1\": 5}",
        "",
        "{\"web-1\": {}} trailing",
        "  \n null",
    };

    public static TheoryData<string> CorruptLeaseDocuments => new()
    {
        "{\"web-1\": null}",
        "{\"web-1\": {\"router\": \"r1\", \"leases\": null}}",
        "{\"web-1\": {\"router\": \"r1\", \"leases\": [null]}}",
    };

    [Fact]
    public void Read_MissingFile_ReturnsEmptyAndCreatesNothing()
    {
        _io.Read(RegistryFiles.Hosts).Should().BeEmpty();
        _io.Read(RegistryFiles.HostLeases).Should().BeEmpty();
        _io.Read(RegistryFiles.NeighborLeases).Should().BeEmpty();

        Directory.GetFiles(_context.RegistryDirectory).Should().BeEmpty();
    }

    [Fact]
    public void Write_ThenRead_RoundTripsSpecificationFieldNames()
    {
        var hosts = new Dictionary<string, HostRecord>
        {
            ["web-1"] = new()
            {
                PrimaryIp = "10.0.0.10/24",
                ConnectedTo = "router-1",
                MacAddress = "aa:bb:cc:dd:ee:01",
                CreatedAt = "Thu Nov 26 14:43:11 2026",
                RegisteredAtTimestamp = 1795704191.5,
            },
        };

        _io.Write(RegistryFiles.Hosts, hosts);

        var node = JsonNode.Parse(File.ReadAllText(_context.HostsPath))!["web-1"]!.AsObject();
        node.Select(p => p.Key).Should().Equal("primary_ip", "connected_to", "mac_address", "created_at", "registered_at_timestamp");
        node["registered_at_timestamp"]!.GetValue<double>().Should().Be(1795704191.5);
        _io.Read(RegistryFiles.Hosts)["web-1"].Should().BeEquivalentTo(hosts["web-1"]);
    }

    [Fact]
    public void Write_NewFile_HasMode0600AndLeavesNoTemporaryFile()
    {
        _io.Write(RegistryFiles.Hosts, []);

        File.GetUnixFileMode(_context.HostsPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.GetFiles(_context.RegistryDirectory).Should().Equal(_context.HostsPath);
    }

    [Fact]
    public void ReadModifyWrite_PythonHostsWithAdditionalInfo_KeepsUnknownFieldsAsEqualJson()
    {
        File.WriteAllText(_context.HostsPath, PythonFiles.Hosts);

        _io.Update(RegistryFiles.Hosts, hosts =>
        {
            hosts["new-1"] = new HostRecord { PrimaryIp = "10.0.0.99", ConnectedTo = "router-9", MacAddress = "aa:bb:cc:dd:ee:99" };
            return Edit.Changed(0);
        });

        var before = JsonNode.Parse(PythonFiles.Hosts)!.AsObject();
        var after = JsonNode.Parse(File.ReadAllText(_context.HostsPath))!.AsObject();
        JsonNode.DeepEquals(after["web-1"], before["web-1"]).Should().BeTrue(after["web-1"]!.ToJsonString());
        JsonNode.DeepEquals(after["db-1"], before["db-1"]).Should().BeTrue(after["db-1"]!.ToJsonString());
        after["web-1"]!["namespace"]!.GetValue<string>().Should().Be("ns1");
        after["web-1"]!["secondary_ips"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("10.1.0.1/24");
    }

    [Fact]
    public void ReadModifyWrite_PythonHostLeasesWithUnknownFields_KeepsThem()
    {
        File.WriteAllText(_context.HostLeasesPath, PythonFiles.HostLeases);

        _io.Update(RegistryFiles.HostLeases, leases =>
        {
            leases["web-1"].Leases.Add(new HostLeaseRecord { RunId = "run-cs", Pid = 1, JobType = "detailed", AllocatedAt = 1795704300 });
            return Edit.Changed(0);
        });

        var before = JsonNode.Parse(PythonFiles.HostLeases)!["web-1"]!;
        var after = JsonNode.Parse(File.ReadAllText(_context.HostLeasesPath))!["web-1"]!;
        after["owner_team"]!.GetValue<string>().Should().Be("net");
        after["router"]!.GetValue<string>().Should().Be("router-1");
        JsonNode.DeepEquals(after["leases"]![0], before["leases"]![0]).Should().BeTrue(after["leases"]![0]!.ToJsonString());
        after["leases"]!.AsArray().Should().HaveCount(2);
        after["leases"]![1]!["dscp"].Should().BeNull("Python writes dscp as null when absent");
        after["leases"]![1]!.AsObject().ContainsKey("dscp").Should().BeTrue();
    }

    [Fact]
    public void ReadModifyWrite_PythonNeighborLeasesWithUnknownFields_KeepsThem()
    {
        File.WriteAllText(_context.NeighborLeasesPath, PythonFiles.NeighborLeases);

        _io.Update(RegistryFiles.NeighborLeases, leases => Edit.Changed(leases.Count));

        JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(_context.NeighborLeasesPath)), JsonNode.Parse(PythonFiles.NeighborLeases))
            .Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(CorruptDocuments))]
    public void Read_CorruptFile_ThrowsWithFileAndPositionAndLeavesFileUntouched(string content)
    {
        File.WriteAllText(_context.HostsPath, content);
        var before = File.ReadAllBytes(_context.HostsPath);

        var act = () => _io.Read(RegistryFiles.Hosts);

        var thrown = act.Should().Throw<RegistryCorruptionException>()
            .WithMessage($"Registry file '{_context.HostsPath}' is corrupt*").Which;
        thrown.FilePath.Should().Be(_context.HostsPath);
        thrown.LineNumber.Should().NotBeNull();
        thrown.BytePositionInLine.Should().NotBeNull();
        File.ReadAllBytes(_context.HostsPath).Should().Equal(before);
    }

    [Theory]
    [MemberData(nameof(CorruptLeaseDocuments))]
    public void Read_LeaseFileWithNullEntries_ThrowsCorruptionNotLaterNullReference(string content)
    {
        File.WriteAllText(_context.HostLeasesPath, content);

        var act = () => _io.Read(RegistryFiles.HostLeases);

        act.Should().Throw<RegistryCorruptionException>()
            .WithMessage($"Registry file '{_context.HostLeasesPath}' is corrupt*web-1*")
            .Which.FilePath.Should().Be(_context.HostLeasesPath);
    }

    [Theory]
    [InlineData("{\"web-1\": {\"primary_ip\": \"10.0.0.1\"", false)]
    [InlineData("", false)]
    [InlineData("{\"web-1\": {}} trailing", false)]
    [InlineData("null", true)]
    [InlineData("[]", true)]
    [InlineData("{\"web-1\": 5}", true)]
    [InlineData("{\"web-1\": null}", true)]
    [InlineData("{\"web-1\": {\"primary_ip\": 5}}", true)]
    public void Read_UnusableHostsFile_SaysWhetherItIsJsonAllTheSame(string content, bool isJson)
    {
        File.WriteAllText(_context.HostsPath, content);

        var act = () => _io.Read(RegistryFiles.Hosts);

        var thrown = act.Should().Throw<RegistryCorruptionException>().Which;
        thrown.ParsesAsJson.Should().Be(isJson);
        thrown.Message.Should().Contain(isJson ? "repair does not move it, because it is JSON" : "move it aside to continue");
    }

    [Fact]
    public void Read_HostsFileWithNullEntry_ThrowsCorruptionNamingEntry()
    {
        File.WriteAllText(_context.HostsPath, "{\"web-1\": null}");

        var act = () => _io.Read(RegistryFiles.Hosts);

        act.Should().Throw<RegistryCorruptionException>()
            .WithMessage($"Registry file '{_context.HostsPath}' is corrupt*web-1*")
            .Which.FilePath.Should().Be(_context.HostsPath);
    }

    [Fact]
    public void Read_TopLevelNullAfterWhitespace_ReportsPositionOfNull()
    {
        File.WriteAllText(_context.HostsPath, "\n\n   null");

        var act = () => _io.Read(RegistryFiles.Hosts);

        var thrown = act.Should().Throw<RegistryCorruptionException>().Which;
        thrown.LineNumber.Should().Be(2);
        thrown.BytePositionInLine.Should().Be(3);
    }

    [Fact]
    public void Read_CorruptOnSecondLine_ReportsThatLine()
    {
        File.WriteAllText(_context.HostsPath, "{\n  \"web-1\": {\"primary_ip\": }\n}");

        var act = () => _io.Read(RegistryFiles.Hosts);

        var thrown = act.Should().Throw<RegistryCorruptionException>().Which;
        thrown.LineNumber.Should().Be(1);
        thrown.Message.Should().Contain("at line 2");
    }

    [Fact]
    public void Update_Throwing_WritesNothing()
    {
        File.WriteAllText(_context.HostsPath, PythonFiles.Hosts);
        var before = _context.Snapshot();

        var act = () => _io.Update<Dictionary<string, HostRecord>, int>(RegistryFiles.Hosts, hosts =>
        {
            hosts.Clear();
            throw new InvalidOperationException("abort");
        });

        act.Should().Throw<InvalidOperationException>();
        _context.Snapshot().Should().Equal(before);
    }

    [Fact]
    public void Write_SpecificationTempFileExists_LeavesItAlone()
    {
        var specTemp = Path.Combine(_context.RegistryDirectory, "hosts.tmp");
        File.WriteAllText(specTemp, "someone else's half-written file");

        _io.Write(RegistryFiles.Hosts, new Dictionary<string, HostRecord> { ["web-1"] = new() { PrimaryIp = "10.0.0.1" } });

        File.ReadAllText(specTemp).Should().Be("someone else's half-written file");
        _io.Read(RegistryFiles.Hosts).Keys.Should().Equal("web-1");
    }

    [Fact]
    public void Write_SymlinkNamedLikeSpecificationTempFile_DoesNotFollowIt()
    {
        var target = Path.Combine(_context.RegistryDirectory, "victim.txt");
        File.WriteAllText(target, "precious");
        File.CreateSymbolicLink(Path.Combine(_context.RegistryDirectory, "hosts.tmp"), target);

        _io.Write(RegistryFiles.Hosts, new Dictionary<string, HostRecord> { ["web-1"] = new() { PrimaryIp = "10.0.0.1" } });

        File.ReadAllText(target).Should().Be("precious");
        new FileInfo(Path.Combine(_context.RegistryDirectory, "hosts.tmp")).LinkTarget.Should().Be(target);
        new FileInfo(_context.HostsPath).LinkTarget.Should().BeNull();
        _io.Read(RegistryFiles.Hosts).Keys.Should().Equal("web-1");
    }

    [Fact]
    public void Write_ManyThreads_LeaveNoTemporaryFilesAndValidJson()
    {
        Concurrently.Run(8, i =>
        {
            for (var n = 0; n < 25; n++)
            {
                _io.Write(RegistryFiles.Hosts, new Dictionary<string, HostRecord> { [$"h{i}-{n}"] = new() { PrimaryIp = $"10.0.{i}.{n + 1}" } });
            }

            return Edit.Changed(0);
        });

        _context.TemporaryFiles().Should().BeEmpty();
        _io.Read(RegistryFiles.Hosts).Should().ContainSingle();
    }

    [Fact]
    public void Read_SymlinkUnderTheName_FailsAfterConfiguredAttempts()
    {
        File.CreateSymbolicLink(_context.HostsPath, "/etc/hostname");
        var io = new RegistryIO(_context.RegistryDirectory, 2, TimeSpan.Zero, NullLogger.Instance);

        var act = () => io.Read(RegistryFiles.Hosts);

        act.Should().Throw<RegistryException>()
            .WithMessage($"Could not read registry file '{_context.HostsPath}' after 2 attempt(s)*");
    }

    [Fact]
    public void Read_PathIsDirectory_RefusedAtOnceAsNotARegularFile()
    {
        Directory.CreateDirectory(_context.HostsPath);

        var act = () => _io.Read(RegistryFiles.Hosts);

        act.Should().Throw<RegistryException>().WithMessage($"'{_context.HostsPath}' is not a regular file (a directory)*");
    }

    [Fact]
    public async Task Read_FifoInPlaceOfTheFile_FailsQuicklyInsteadOfHanging()
    {
        MakeFifo(_context.HostsPath);

        // Before O_NONBLOCK, open(2) of a FIFO for reading waited for a writer: for ever. The bound only ends a hung
        // test; the refusal takes microseconds.
        var read = Task.Run(() => _io.ReadLocked(RegistryFiles.Hosts));
        var finished = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10)));
        if (finished != read)
        {
            ReleaseBlockedReader(_context.HostsPath);
        }

        finished.Should().BeSameAs(read, "a FIFO must not block the read");
        await read.Invoking(r => r).Should().ThrowAsync<RegistryException>()
            .WithMessage($"'{_context.HostsPath}' is not a regular file (a FIFO), so it is not read.*");
    }

    [Fact]
    public void Read_FileLargerThanTheCap_RefusedNamingTheFileAndTheCap()
    {
        // Sparse: no disk space is used. Just over the cap, and past 2 GiB (an OverflowException before the cap).
        foreach (var size in (long[])[NoFollowFile.MaxReadBytes + 1, (2L << 30) + 1])
        {
            using (var file = File.Create(_context.HostsPath))
            {
                file.SetLength(size);
            }

            var act = () => _io.Read(RegistryFiles.Hosts);

            act.Should().Throw<RegistryException>().WithMessage(
                $"'{_context.HostsPath}' is {size} bytes, more than the {NoFollowFile.MaxReadBytes} bytes (256 MiB) a registry or owner record file may have*");
        }
    }

    [Fact]
    public void Write_DirectoryFsyncFailsAfterTheRename_ReportsSuccessAndLogsAWarning()
    {
        using var logs = new CapturingLoggerProvider();
        var syncs = 0;
        var io = new RegistryIO(_context.RegistryDirectory, 3, TimeSpan.Zero, logs.CreateLogger("io"), directoryFSync: _ =>
        {
            syncs++;
            return 5; // EIO
        });

        io.Write(RegistryFiles.Hosts, new Dictionary<string, HostRecord> { ["web-1"] = new() { PrimaryIp = "10.0.0.1" } });

        _io.Read(RegistryFiles.Hosts).Keys.Should().Equal(["web-1"], "the new file is in place");
        syncs.Should().Be(1, "a write whose rename is done is not retried");
        _context.TemporaryFiles().Should().BeEmpty();
        var warning = logs.Entries.Should().ContainSingle(e => e.EventId.Id == 2005).Subject;
        warning.EventId.Name.Should().Be("DirectorySyncFailedAfterRename");
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain(_context.HostsPath).And.Contain("may undo the rename");
        warning.Exception!.Message.Should().Contain(_context.RegistryDirectory);
    }

    [Fact]
    public void Quarantine_DirectoryFsyncFailsAfterTheRename_ReturnsWhereTheFileWent()
    {
        using var logs = new CapturingLoggerProvider();
        var io = new RegistryIO(_context.RegistryDirectory, 3, TimeSpan.Zero, logs.CreateLogger("io"), directoryFSync: _ => 5);
        File.WriteAllText(_context.HostsPath, "{");

        var moved = io.Quarantine(RegistryFiles.Hosts, DateTimeOffset.UnixEpoch);

        File.ReadAllText(moved).Should().Be("{");
        File.Exists(_context.HostsPath).Should().BeFalse();
        logs.Entries.Should().ContainSingle(e => e.EventId.Id == 2005).Which.Message.Should().Contain(moved);
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        mkfifo.ExitCode.Should().Be(0);
    }

    /// <summary>Opens the FIFO for writing and closes it, so that a reader blocked in open(2) gets end of file.</summary>
    private static void ReleaseBlockedReader(string path)
    {
        using var writer = new FileStream(path, FileMode.Open, FileAccess.Write);
    }
}
