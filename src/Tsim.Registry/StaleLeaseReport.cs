
namespace Tsim.Registry;

/// <summary>
/// What <see cref="RegistryManager.ReapStaleLeases"/> removed (or, in a dry run, would remove), and the leases it kept
/// because their process cannot be judged from the calling process.
/// </summary>
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
    bool DryRun)
{
    /// <summary>
    /// Gets the host leases kept because their process cannot be judged here: recorded in another pid namespace, or
    /// this process's <c>/proc</c> is of another pid namespace, or their start time was read in another time
    /// namespace. They are never reaped from here; a process where their owner can be judged reaps them.
    /// </summary>
    public IReadOnlyList<StaleLease> UnknownHostLeases { get; init; } = [];

    /// <summary>Gets the neighbour leases kept because their process cannot be judged here, as <see cref="UnknownHostLeases"/>.</summary>
    public IReadOnlyList<StaleLease> UnknownNeighborLeases { get; init; } = [];
}

/// <summary>
/// One lease <see cref="RegistryManager.ReapStaleLeases"/> found: of a dead process, or, in the report's
/// <c>Unknown</c> lists, of a process that cannot be judged from the calling process.
/// </summary>
/// <param name="Key">The host name, or the neighbour key <c>HOST:IP</c>.</param>
/// <param name="RunId">The run that took the lease.</param>
/// <param name="Pid">The process the lease belongs to, as recorded.</param>
/// <param name="AllocatedAt">When the lease was taken.</param>
public sealed record StaleLease(string Key, string RunId, int Pid, DateTimeOffset AllocatedAt);
