using System.Diagnostics;
using System.Text.Json.Nodes;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

public sealed class RegistryManagerNeighborsTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly RegistryManager _manager;

    public RegistryManagerNeighborsTests() => _manager = _context.CreateManager();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void AcquireNeighborLease_SeveralRuns_CountsUpUnderHostIpKey()
    {
        _manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.1").Should().Be(1);
        _manager.AcquireNeighborLease("run-2", "web-1", "10.0.0.1").Should().Be(2);
        _manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.2").Should().Be(1);

        var file = JsonNode.Parse(File.ReadAllText(_context.NeighborLeasesPath))!.AsObject();
        file.Select(p => p.Key).Should().BeEquivalentTo("web-1:10.0.0.1", "web-1:10.0.0.2");
        file["web-1:10.0.0.1"]!["host_name"]!.GetValue<string>().Should().Be("web-1");
        file["web-1:10.0.0.1"]!["neighbor_ip"]!.GetValue<string>().Should().Be("10.0.0.1");
        file["web-1:10.0.0.1"]!["leases"]!.AsArray().Should().HaveCount(2);
        file["web-1:10.0.0.1"]!["leases"]![0]!.AsObject().Select(p => p.Key).Should().Equal("run_id", "pid", "allocated_at", "pid_start_time", "pid_namespace");
    }

    [Fact]
    public void AcquireNeighborLease_WithOwner_RecordsThatProcess_StaleOnlyOnceItExits()
    {
        using var owner = Process.Start("sleep", "300");
        var leaseOwner = LeaseOwner.FromProcessId(owner.Id);
        try
        {
            _manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.1", leaseOwner).Should().Be(1);

            var stored = JsonNode.Parse(File.ReadAllText(_context.NeighborLeasesPath))!["web-1:10.0.0.1"]!["leases"]![0]!;
            stored["pid"]!.GetValue<int>().Should().Be(owner.Id);
            stored["pid_start_time"]!.GetValue<long>().Should().Be(leaseOwner.Identity.StartTime);
            _manager.ReapStaleLeases(dryRun: true).NeighborLeases.Should().BeEmpty("the owner runs");
        }
        finally
        {
            owner.Kill();
            owner.WaitForExit();
        }

        _manager.ReapStaleLeases().NeighborLeases.Should().ContainSingle().Which.Pid.Should().Be(owner.Id);
    }

    [Fact]
    public void ReleaseNeighborLease_NotLastThenLast_ReportsShouldDeleteOnLast()
    {
        _manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.1");
        _manager.AcquireNeighborLease("run-2", "web-1", "10.0.0.1");

        _manager.ReleaseNeighborLease("run-1", "web-1", "10.0.0.1").Should().Be(new LeaseRelease(1, false));
        _manager.ReleaseNeighborLease("run-2", "web-1", "10.0.0.1").Should().Be(new LeaseRelease(0, true));

        JsonNode.Parse(File.ReadAllText(_context.NeighborLeasesPath))!.AsObject().Should().BeEmpty();
    }

    [Fact]
    public void AcquireNeighborLease_SameRunTwice_OneReleaseRemovesExactlyOne()
    {
        _manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.1");
        _manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.1").Should().Be(2);

        _manager.ReleaseNeighborLease("run-1", "web-1", "10.0.0.1").Should().Be(new LeaseRelease(1, false));
    }

    [Fact]
    public void ReleaseNeighborLease_OtherIpv6Spelling_FindsTheSameEntry()
    {
        _manager.AcquireNeighborLease("run-1", "web-1", "2001:DB8:0::1").Should().Be(1);

        _manager.ReleaseNeighborLease("run-1", "web-1", "2001:db8::1").Should().Be(new LeaseRelease(0, true));
    }

    [Fact]
    public void ReleaseNeighborLease_NoSuchLease_ThrowsNotFoundAndFileByteIdentical()
    {
        _manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.1");
        var before = _context.Snapshot();

        var act = () => _manager.ReleaseNeighborLease("run-2", "web-1", "10.0.0.1");
        var missingEntry = () => _manager.ReleaseNeighborLease("run-1", "web-1", "10.0.0.9");

        act.Should().Throw<RegistryNotFoundException>().WithMessage("Run 'run-2' holds no lease on neighbour entry 'web-1:10.0.0.1'.");
        missingEntry.Should().Throw<RegistryNotFoundException>();
        _context.Snapshot().Should().Equal(before);
    }

    [Fact]
    public void ReleaseNeighborLease_NoFileAtAll_ThrowsNotFoundAndCreatesNone()
    {
        var act = () => _manager.ReleaseNeighborLease("run-1", "web-1", "10.0.0.1");

        act.Should().Throw<RegistryNotFoundException>();
        File.Exists(_context.NeighborLeasesPath).Should().BeFalse();
    }

    [Fact]
    public void AcquireNeighborLease_PythonFileWithUnknownFields_KeepsThem()
    {
        File.WriteAllText(_context.NeighborLeasesPath, PythonFiles.NeighborLeases);

        _manager.AcquireNeighborLease("run-cs", "web-1", "10.0.0.1").Should().Be(2);

        var before = JsonNode.Parse(PythonFiles.NeighborLeases)!["web-1:10.0.0.1"]!;
        var after = JsonNode.Parse(File.ReadAllText(_context.NeighborLeasesPath))!["web-1:10.0.0.1"]!;
        after["mac"]!.GetValue<string>().Should().Be("aa:bb:cc:dd:ee:99");
        JsonNode.DeepEquals(after["leases"]![0], before["leases"]![0]).Should().BeTrue();
    }

    [Fact]
    public void AcquireRelease_ManyThreadsOnTwoManagers_CountsStayExact()
    {
        var managers = new[] { _manager, _context.CreateManager() };

        Concurrently.Run(8, i =>
        {
            for (var n = 0; n < 3; n++)
            {
                managers[i % 2].AcquireNeighborLease($"run-{i}", "web-1", "10.0.0.1");
            }

            managers[i % 2].ReleaseNeighborLease($"run-{i}", "web-1", "10.0.0.1");
            return 0;
        });

        var file = JsonNode.Parse(File.ReadAllText(_context.NeighborLeasesPath))!;
        file["web-1:10.0.0.1"]!["leases"]!.AsArray().Should().HaveCount(16);
        _context.TemporaryFiles().Should().BeEmpty();
    }
}
