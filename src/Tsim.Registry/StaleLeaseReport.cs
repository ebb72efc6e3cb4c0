
namespace Tsim.Registry;

/// <summary>What <see cref="RegistryManager.ReapStaleLeases"/> removed (or, in a dry run, would remove).</summary>
/// <param name="HostLeases">Host leases whose process is dead, keyed by host.</param>
/// <param name="NeighborLeases">Neighbour leases whose process is dead, keyed by <c>HOST:IP</c>.</param>
/// <param name="HostsReleased">Hosts left with no lease: the caller should tear them down.</param>
/// <param name="NeighborEntriesReleased">Neighbour entries left with no lease: the caller should remove them.</param>
/// <param name="DryRun"><see langword="true"/> when nothing was written.</param>
public sealed record StaleLeaseReport(
    IReadOnlyList<StaleLease> HostLeases,
    IReadOnlyList<StaleLease> NeighborLeases,
    IReadOnlyList<string> HostsReleased,
    IReadOnlyList<string> NeighborEntriesReleased,
    bool DryRun);

/// <summary>One lease whose process is dead.</summary>
/// <param name="Key">The host name, or the neighbour key <c>HOST:IP</c>.</param>
/// <param name="RunId">The run that took the lease.</param>
/// <param name="Pid">The dead process.</param>
/// <param name="AllocatedAt">When the lease was taken.</param>
public sealed record StaleLease(string Key, string RunId, int Pid, DateTimeOffset AllocatedAt);
