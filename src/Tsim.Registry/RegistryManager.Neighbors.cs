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

    /// <summary>
    /// Takes a lease on a neighbour (ARP) entry of a host: one more reference that keeps the entry alive. Each call
    /// adds one lease; each <see cref="ReleaseNeighborLease"/> removes one.
    /// </summary>
    /// <remarks>
    /// The lease belongs to <paramref name="owner"/>: <see cref="ReapStaleLeases"/> removes it once that process has
    /// exited. A program that takes a lease for a longer-lived process (a job script that runs a tool) names that
    /// process, or the lease is stale as soon as the program exits.
    /// </remarks>
    /// <param name="runId">The run taking the lease.</param>
    /// <param name="hostName">The host that needs the neighbour entry.</param>
    /// <param name="neighborIp">The neighbour's IPv4 or IPv6 address.</param>
    /// <param name="owner">The process the lease belongs to (<see cref="LeaseOwner.FromProcessId(int)"/>), or <see langword="null"/> for the calling process.</param>
    /// <returns>The entry's lease count after this lease (at least 1).</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="RegistryLockTimeoutException">The neighbour lease lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException"><c>neighbor_leases.json</c> does not parse.</exception>
    /// <exception cref="RegistryException"><paramref name="owner"/> is <see langword="null"/> and this process's start time cannot be read.</exception>
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

    /// <summary>Releases one neighbour lease of <paramref name="runId"/> (its most recent one, when it holds several).</summary>
    /// <param name="runId">The run that took the lease.</param>
    /// <param name="hostName">The host.</param>
    /// <param name="neighborIp">The neighbour's address.</param>
    /// <returns>The leases left, and whether this was the last one (the caller should then remove the entry).</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="RegistryNotFoundException">The run holds no lease on this neighbour entry (nothing is written).</exception>
    /// <exception cref="RegistryLockTimeoutException">The neighbour lease lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException"><c>neighbor_leases.json</c> does not parse.</exception>
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
