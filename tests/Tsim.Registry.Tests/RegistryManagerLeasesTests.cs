using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

public sealed class RegistryManagerLeasesTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly RegistryManager _manager;

    public RegistryManagerLeasesTests()
    {
        _manager = _context.CreateManager();
        _manager.CheckAndRegisterHost("web-1", "10.0.0.10/24", "router-1", "aa:bb:cc:dd:ee:01");
    }

    public void Dispose() => _context.Dispose();

    [Fact]
    public void AcquireSourceHostLease_SeveralRuns_CountsUp()
    {
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1", 46).Should().Be(1);
        _manager.AcquireSourceHostLease("run-2", "web-1", "detailed", "router-1").Should().Be(2);

        _manager.GetHostLeaseCount("web-1").Should().Be(2);
    }

    [Fact]
    public void ListHostLeases_AfterAcquire_ReturnsRecordedFields()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 14, 43, 11, 500, TimeSpan.Zero));
        var manager = _context.CreateManager(timeProvider: time);
        manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1", 46);

        var leases = manager.ListHostLeases("web-1");

        leases.Keys.Should().Equal("web-1");
        leases["web-1"].RouterName.Should().Be("router-1");
        leases["web-1"].RefCount.Should().Be(1);
        leases["web-1"].Leases.Should().Equal(new HostLease("run-1", Environment.ProcessId, "quick", 46, time.GetUtcNow()));
        var stored = JsonNode.Parse(File.ReadAllText(_context.HostLeasesPath))!["web-1"]!["leases"]![0]!.AsObject();
        stored.Select(p => p.Key).Should().Equal("run_id", "pid", "job_type", "dscp", "allocated_at", "pid_start_time", "pid_namespace");
        stored["allocated_at"]!.GetValue<double>().Should().Be(1795704191.5);
    }

    [Fact]
    public void ListHostLeases_NoFilter_ListsEveryHostWithLeases()
    {
        _manager.CheckAndRegisterHost("web-2", "10.0.0.11", "router-1", "aa:bb:cc:dd:ee:02");
        _manager.CheckAndRegisterHost("web-3", "10.0.0.12", "router-1", "aa:bb:cc:dd:ee:03");
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1");
        _manager.AcquireSourceHostLease("run-1", "web-2", "quick", "router-1");

        _manager.ListHostLeases().Keys.Should().BeEquivalentTo("web-1", "web-2");
        _manager.ListHostLeases("web-3").Should().BeEmpty();
    }

    [Fact]
    public void ReleaseSourceHostLease_NotLast_ReturnsCountAndShouldNotDelete()
    {
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1");
        _manager.AcquireSourceHostLease("run-2", "web-1", "quick", "router-1");

        _manager.ReleaseSourceHostLease("run-1", "web-1").Should().Be(new LeaseRelease(1, false));

        _manager.ListHostLeases("web-1")["web-1"].Leases.Select(l => l.RunId).Should().Equal("run-2");
    }

    [Fact]
    public void ReleaseSourceHostLease_Last_ShouldDeleteAndRemovesEntry()
    {
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1");

        _manager.ReleaseSourceHostLease("run-1", "web-1").Should().Be(new LeaseRelease(0, true));

        _manager.GetHostLeaseCount("web-1").Should().Be(0);
        JsonNode.Parse(File.ReadAllText(_context.HostLeasesPath))!.AsObject().Should().BeEmpty();
    }

    [Fact]
    public void AcquireSourceHostLease_SameRunTwice_TwoLeasesAndOneReleaseRemovesExactlyOne()
    {
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1", 10).Should().Be(1);
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1", 20).Should().Be(2);

        _manager.ReleaseSourceHostLease("run-1", "web-1").Should().Be(new LeaseRelease(1, false));

        _manager.ListHostLeases("web-1")["web-1"].Leases.Should().ContainSingle().Which.Dscp.Should().Be(10, "the most recent lease goes first");
        _manager.ReleaseSourceHostLease("run-1", "web-1").Should().Be(new LeaseRelease(0, true));
    }

    [Fact]
    public void ReleaseSourceHostLease_NoSuchLease_ThrowsNotFoundAndFileByteIdentical()
    {
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1");
        var before = _context.Snapshot();

        var otherRun = () => _manager.ReleaseSourceHostLease("run-2", "web-1");
        var otherHost = () => _manager.ReleaseSourceHostLease("run-1", "web-2");

        otherRun.Should().Throw<RegistryNotFoundException>().WithMessage("Run 'run-2' holds no lease on host 'web-1'.");
        otherHost.Should().Throw<RegistryNotFoundException>().WithMessage("Run 'run-1' holds no lease on host 'web-2'.");
        _context.Snapshot().Should().Equal(before);
    }

    [Fact]
    public void AcquireSourceHostLease_UnregisteredHost_ThrowsNotFoundAndWritesNothing()
    {
        var act = () => _manager.AcquireSourceHostLease("run-1", "nobody", "quick", "router-1");

        act.Should().Throw<RegistryNotFoundException>().WithMessage("Host 'nobody' is not registered*");
        File.Exists(_context.HostLeasesPath).Should().BeFalse();
        RegistryTestContext.SemaphoreValue(_context.HostsLockName).Should().Be(1);
    }

    [Fact]
    public void AcquireSourceHostLease_RouterMismatch_ThrowsArgumentNamingRouter()
    {
        var act = () => _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-2");

        act.Should().Throw<ArgumentException>()
            .WithParameterName("routerName")
            .WithMessage("routerName must be the router host 'web-1' is connected to ('router-1'), got 'router-2'.*");
        File.Exists(_context.HostLeasesPath).Should().BeFalse();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(64)]
    public void AcquireSourceHostLease_DscpOutOfRange_Throws(int dscp)
    {
        var act = () => _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1", dscp);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(dscp));
        File.Exists(_context.HostLeasesPath).Should().BeFalse();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    public void AcquireSourceHostLease_DscpAtBounds_Accepted(int dscp)
    {
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1", dscp).Should().Be(1);
    }

    [Fact]
    public void AcquireSourceHostLease_WithOwner_RecordsThatProcess_StaleOnlyOnceItExits()
    {
        using var owner = Process.Start("sleep", "300");
        var leaseOwner = LeaseOwner.FromProcessId(owner.Id);
        try
        {
            _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1", owner: leaseOwner).Should().Be(1);

            var stored = JsonNode.Parse(File.ReadAllText(_context.HostLeasesPath))!["web-1"]!["leases"]![0]!;
            stored["pid"]!.GetValue<int>().Should().Be(owner.Id);
            stored["pid_start_time"]!.GetValue<long>().Should().Be(leaseOwner.Identity.StartTime);
            stored["pid_namespace"]!.GetValue<string>().Should().Be(ProcessIdentity.Current.PidNamespace);
            _manager.ReapStaleLeases(dryRun: true).HostLeases.Should().BeEmpty("the owner runs");
        }
        finally
        {
            owner.Kill();
            owner.WaitForExit();
        }

        _manager.ReapStaleLeases().HostLeases.Should().ContainSingle().Which.Pid.Should().Be(owner.Id);
        _manager.GetHostLeaseCount("web-1").Should().Be(0);
    }

    [Fact]
    public void AcquireSourceHostLease_NullOwner_IsTheCallingProcess()
    {
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1", dscp: null, owner: null);

        _manager.ListHostLeases("web-1")["web-1"].Leases.Single().Pid.Should().Be(Environment.ProcessId);
    }

    [Fact]
    public void ReapStaleLeases_LeasesOfAnotherPidNamespace_NeverReaped_ReportedUnknown()
    {
        // Pid 2147483646 exists in no namespace here (above pid_max), but it names a process of namespace pid:[1].
        // Without a start time the lease used to be judged by its bare pid, here, and reaped.
        File.WriteAllText(_context.HostLeasesPath, """
            {"web-1": {"router": "router-1", "leases": [
              {"run_id": "foreign-bare", "pid": 2147483646, "job_type": "quick", "dscp": null, "allocated_at": 1795704200.5, "pid_namespace": "pid:[1]"},
              {"run_id": "foreign-full", "pid": 2147483646, "job_type": "quick", "dscp": null, "allocated_at": 1795704200.5, "pid_start_time": 5, "pid_namespace": "pid:[1]"},
              {"run_id": "python-gone", "pid": 2147483646, "job_type": "quick", "dscp": null, "allocated_at": 1795704200.5}
            ]}}
            """);
        File.WriteAllText(_context.NeighborLeasesPath, """
            {"web-1:10.0.0.1": {"host_name": "web-1", "neighbor_ip": "10.0.0.1", "leases": [
              {"run_id": "foreign-bare", "pid": 2147483646, "allocated_at": 1795704200.5, "pid_namespace": "pid:[1]"}
            ]}}
            """);

        var report = _manager.ReapStaleLeases();

        report.HostLeases.Select(l => l.RunId).Should().Equal(["python-gone"], "a bare Python pid keeps the existing rule");
        report.UnknownHostLeases.Select(l => (l.Key, l.RunId, l.Pid)).Should().Equal(("web-1", "foreign-bare", 2147483646), ("web-1", "foreign-full", 2147483646));
        report.NeighborLeases.Should().BeEmpty();
        report.UnknownNeighborLeases.Select(l => (l.Key, l.RunId)).Should().Equal(("web-1:10.0.0.1", "foreign-bare"));
        report.HostsReleased.Should().BeEmpty();
        _manager.ListHostLeases("web-1")["web-1"].Leases.Select(l => l.RunId).Should().Equal("foreign-bare", "foreign-full");
        _manager.ReapStaleLeases().UnknownHostLeases.Should().HaveCount(2, "they stay, and are reported again");
    }

    [Fact]
    public void AcquireSourceHostLease_PythonLeasesWithUnknownFields_KeepsThem()
    {
        File.WriteAllText(_context.HostLeasesPath, PythonFiles.HostLeases);

        _manager.AcquireSourceHostLease("run-cs", "web-1", "detailed", "router-1").Should().Be(2);

        var before = JsonNode.Parse(PythonFiles.HostLeases)!["web-1"]!;
        var after = JsonNode.Parse(File.ReadAllText(_context.HostLeasesPath))!["web-1"]!;
        JsonNode.DeepEquals(after["leases"]![0], before["leases"]![0]).Should().BeTrue();
        after["owner_team"]!.GetValue<string>().Should().Be("net");
    }

    [Fact]
    public void GetHostLeaseCount_LeaseFileWithNullLeaseList_ThrowsCorruption()
    {
        File.WriteAllText(_context.HostLeasesPath, "{\"web-1\": {\"router\": \"router-1\", \"leases\": null}}");

        var act = () => _manager.GetHostLeaseCount("web-1");

        act.Should().Throw<RegistryCorruptionException>().Which.FilePath.Should().Be(_context.HostLeasesPath);
    }

    [Fact]
    public void AcquireRelease_ManyThreadsOnTwoManagers_CountsStayExact()
    {
        var managers = new[] { _manager, _context.CreateManager() };

        Concurrently.Run(8, i =>
        {
            for (var n = 0; n < 5; n++)
            {
                managers[i % 2].AcquireSourceHostLease($"run-{i}", "web-1", "quick", "router-1");
            }

            managers[i % 2].ReleaseSourceHostLease($"run-{i}", "web-1");
            return 0;
        });

        _manager.GetHostLeaseCount("web-1").Should().Be(32);
        _manager.ListHostLeases("web-1")["web-1"].Leases.GroupBy(l => l.RunId).Should().AllSatisfy(g => g.Should().HaveCount(4));
    }

    [Fact]
    public void AcquireSourceHostLease_WhileHostIsUnregisteredConcurrently_NeverLeasesAMissingHost()
    {
        var managers = new[] { _manager, _context.CreateManager() };

        var outcomes = Concurrently.Run(2, i =>
        {
            if (i == 0)
            {
                return managers[0].UnregisterHost("web-1") ? "unregistered" : "missing";
            }

            try
            {
                managers[1].AcquireSourceHostLease("run-1", "web-1", "quick", "router-1");
                return "leased";
            }
            catch (RegistryNotFoundException)
            {
                return "not-found";
            }
        });

        outcomes[0].Should().Be("unregistered");
        if (outcomes[1] == "leased")
        {
            _manager.GetHostLeaseCount("web-1").Should().Be(1, "the lease was taken before the host went away");
        }
        else
        {
            _manager.GetHostLeaseCount("web-1").Should().Be(0);
        }
    }
}
