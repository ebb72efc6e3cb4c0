using Tsim.Registry.Diagnostics;
using Tsim.Registry.Storage;

namespace Tsim.Registry;

public sealed partial class RegistryManager
{
    /// <summary>
    /// Takes a lease on a neighbour (ARP) entry of a host for the calling process: one more reference that keeps the
    /// entry alive. Same as <see cref="AcquireNeighborLease(string, string, string, LeaseOwner?)"/> with no owner.
    /// </summary>
    /// <param name="runId">The run taking the lease.</param>
    /// <param name="hostName">The host that needs the neighbour entry.</param>
    /// <param name="neighborIp">The neighbour's IPv4 or IPv6 address.</param>
    /// <returns>The entry's lease count after this lease (at least 1).</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="RegistryLockTimeoutException">The neighbour lease lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException"><c>neighbor_leases.json</c> does not parse.</exception>
    public int AcquireNeighborLease(string runId, string hostName, string neighborIp) =>
        AcquireNeighborLease(runId, hostName, neighborIp, owner: null);

    /// <inheritdoc />
    public int AcquireNeighborLease(string runId, string hostName, string neighborIp, LeaseOwner? owner = null)
    {
        var (key, ip) = CheckNeighborLease(runId, hostName, neighborIp);
        using var operation = RegistryTelemetry.StartOperation("acquire_neighbor_lease");
        var process = OwnerIdentity(owner);
        var refCount = _documents.NeighborLeases.Add(
            key,
            () => new NeighborLeaseEntry { HostName = hostName, NeighborIp = ip },
            new NeighborLeaseRecord
            {
                RunId = runId,
                Pid = process.Pid,
                AllocatedAt = UnixNow(),
                PidStartTime = process.StartTime,
                PidNamespace = process.PidNamespace,
            });

        _logger.LeaseAcquired("neighbour", runId, key, refCount);
        Audit("acquire_neighbor_lease", w =>
        {
            w.WriteString("run_id", runId);
            w.WriteString("host_name", hostName);
            w.WriteString("neighbor_ip", ip);
            w.WriteNumber("ref_count", refCount);
        });
        return operation.Complete(refCount);
    }

    /// <inheritdoc />
    public LeaseRelease ReleaseNeighborLease(string runId, string hostName, string neighborIp)
    {
        var (key, ip) = CheckNeighborLease(runId, hostName, neighborIp);
        using var operation = RegistryTelemetry.StartOperation("release_neighbor_lease");
        var result = _documents.NeighborLeases.Release(key, runId)
            ?? throw new RegistryNotFoundException($"Run '{runId}' holds no lease on neighbour entry '{key}'.");

        OnLeaseReleased("release_neighbor_lease", "neighbour", runId, hostName, ip, key, result);
        return operation.Complete(result);
    }
}
