using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Locking;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Storage;

/// <summary><see cref="LeaseDocument{TEntry, TRecord}"/>: reference counts kept per key, entries removed with their last lease.</summary>
public sealed class LeaseDocumentTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly LeaseDocument<HostLeaseEntry, HostLeaseRecord> _leases;

    public LeaseDocumentTests()
    {
        var locks = _context.CreateLockManager();
        _leases = new(new(
            new RegistryIO(_context.RegistryDirectory, 3, TimeSpan.Zero, NullLogger.Instance),
            RegistryFiles.HostLeases,
            locks,
            LockName.HostLeases(_context.Prefix),
            LockTimeout.FromSeconds(1)));
    }

    public void Dispose() => _context.Dispose();

    [Fact]
    public void AddAndRelease_CountPerKey_LastReleaseRemovesTheEntry()
    {
        _leases.Add("web-1", NewEntry, Lease("run-1")).Should().Be(1);
        _leases.Add("web-1", NewEntry, Lease("run-2")).Should().Be(2);

        _leases.Release("web-1", "run-1").Should().Be(new LeaseRelease(1, false));
        _leases.Release("web-1", "run-2").Should().Be(new LeaseRelease(0, true));
        _leases.Snapshot().Should().BeEmpty();
    }

    [Fact]
    public void Release_NotHeld_ReturnsNullAndWritesNothing()
    {
        _leases.Add("web-1", NewEntry, Lease("run-1"));
        var before = File.ReadAllBytes(_context.HostLeasesPath);

        _leases.Release("web-1", "run-9").Should().BeNull();
        _leases.Release("web-9", "run-1").Should().BeNull();

        File.ReadAllBytes(_context.HostLeasesPath).Should().Equal(before);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RemoveStale_JudgesEachLeaseOnce_RemovesTheDead_KeepsAndReportsTheUnknown(bool dryRun)
    {
        _leases.Add("web-1", NewEntry, Lease("dead-1"));
        _leases.Add("web-1", NewEntry, Lease("live-1"));
        _leases.Add("web-2", NewEntry, Lease("dead-2"));
        _leases.Add("web-3", NewEntry, Lease("unknown-3"));
        var before = File.ReadAllBytes(_context.HostLeasesPath);
        var judged = new List<string>();

        var (stale, unknown, released) = _leases.RemoveStale(lease =>
        {
            judged.Add(lease.RunId);
            return lease.RunId.Split('-')[0] switch
            {
                "dead" => OwnerLiveness.Dead,
                "unknown" => OwnerLiveness.Unknown,
                _ => OwnerLiveness.Alive,
            };
        }, dryRun);

        judged.Should().BeEquivalentTo("dead-1", "live-1", "dead-2", "unknown-3");
        stale.Select(s => (s.Key, s.Lease.RunId)).Should().BeEquivalentTo([("web-1", "dead-1"), ("web-2", "dead-2")]);
        unknown.Select(s => (s.Key, s.Lease.RunId)).Should().Equal(("web-3", "unknown-3"));
        released.Should().Equal("web-2");
        if (dryRun)
        {
            File.ReadAllBytes(_context.HostLeasesPath).Should().Equal(before);
            _leases.Snapshot()["web-1"].Leases.Should().HaveCount(2);
        }
        else
        {
            _leases.Snapshot().Keys.Should().BeEquivalentTo("web-1", "web-3");
            _leases.Snapshot()["web-1"].Leases.Select(l => l.RunId).Should().Equal("live-1");
            _leases.Snapshot()["web-3"].Leases.Select(l => l.RunId).Should().Equal(["unknown-3"], "a lease that cannot be judged is never reaped");
        }
    }

    private static HostLeaseEntry NewEntry() => new() { Router = "router-1" };

    private static HostLeaseRecord Lease(string runId) => new() { RunId = runId, Pid = 1, JobType = "quick", AllocatedAt = 1 };
}
