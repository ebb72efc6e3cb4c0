namespace Tsim.Registry;

/// <summary>
/// Reference-counted leases on source hosts and on hosts' neighbour (ARP) entries, so that the last user tears a
/// host down. One of the roles of <see cref="RegistryManager"/>; a service that only takes leases takes this interface,
/// so that its tests can give it a fake.
/// </summary>
/// <remarks>
/// <see cref="IRegistryManager"/> combines every role. <see cref="RegistryManager"/> is the implementation, and
/// <c>AddTsimRegistry</c> registers it as this interface too, all resolving to one singleton.
/// </remarks>
public interface ILeaseRegistry
{
    /// <summary>
    /// Takes a lease on a registered source host: one more reference that keeps the host alive. Each call adds
    /// one lease, also when the run already holds one on this host (a run may use a host twice at once); each
    /// <see cref="ReleaseSourceHostLease"/> removes one.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The host's existence is checked under the host registry lock, and the lease added under the host lease lock
    /// taken while the first is still held (always in that order), so a host cannot be unregistered between the
    /// check and the lease.
    /// </para>
    /// <para>
    /// The lease belongs to <paramref name="owner"/>: <see cref="ReapStaleLeases"/> removes it once that process has
    /// exited. A program that takes a lease for a longer-lived process (a job script that runs a tool) names that
    /// process, or the lease is stale as soon as the program exits.
    /// </para>
    /// </remarks>
    /// <param name="runId">The run taking the lease.</param>
    /// <param name="hostName">The registered host.</param>
    /// <param name="jobType">The job type recorded with the lease (<c>quick</c> or <c>detailed</c> in Tsim).</param>
    /// <param name="routerName">The router the host is connected to; must match its registration.</param>
    /// <param name="dscp">The DSCP value of a quick job, 0 to 63, or <see langword="null"/>.</param>
    /// <param name="owner">The process the lease belongs to (<see cref="LeaseOwner.FromProcessId(int)"/>), or <see langword="null"/> for the calling process.</param>
    /// <returns>The host's lease count after this lease (at least 1).</returns>
    /// <exception cref="ArgumentException">An argument is invalid, or <paramref name="routerName"/> is not the host's router.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dscp"/> is outside 0 to 63.</exception>
    /// <exception cref="RegistryNotFoundException">The host is not registered.</exception>
    /// <exception cref="RegistryLockTimeoutException">A registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">A registry file does not parse.</exception>
    /// <exception cref="RegistryException"><paramref name="owner"/> is <see langword="null"/> and this process's start time cannot be read.</exception>
    int AcquireSourceHostLease(string runId, string hostName, string jobType, string routerName, int? dscp = null, LeaseOwner? owner = null);

    /// <summary>
    /// Releases one lease of <paramref name="runId"/> on a host (its most recent one, when the run holds several).
    /// </summary>
    /// <param name="runId">The run that took the lease.</param>
    /// <param name="hostName">The host.</param>
    /// <returns>The leases left, and whether this was the last one (the caller should then tear the host down).</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="RegistryNotFoundException">The run holds no lease on the host (nothing is written).</exception>
    /// <exception cref="RegistryLockTimeoutException">The host lease lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException"><c>host_leases.json</c> does not parse.</exception>
    LeaseRelease ReleaseSourceHostLease(string runId, string hostName);

    /// <summary>Gets the number of leases on a host.</summary>
    /// <param name="hostName">The host.</param>
    /// <returns>The reference count; 0 when the host has no leases.</returns>
    /// <exception cref="ArgumentException"><paramref name="hostName"/> is invalid.</exception>
    /// <exception cref="RegistryCorruptionException"><c>host_leases.json</c> does not parse.</exception>
    int GetHostLeaseCount(string hostName);

    /// <summary>Gets the leases of every host, or of one host.</summary>
    /// <param name="hostName">The host to list, or <see langword="null"/> for all.</param>
    /// <returns>Leases keyed by host; a host without leases is absent.</returns>
    /// <exception cref="ArgumentException"><paramref name="hostName"/> is invalid.</exception>
    /// <exception cref="RegistryCorruptionException"><c>host_leases.json</c> does not parse.</exception>
    IReadOnlyDictionary<string, HostLeases> ListHostLeases(string? hostName = null);

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
    int AcquireNeighborLease(string runId, string hostName, string neighborIp, LeaseOwner? owner = null);

    /// <summary>Releases one neighbour lease of <paramref name="runId"/> (its most recent one, when it holds several).</summary>
    /// <param name="runId">The run that took the lease.</param>
    /// <param name="hostName">The host.</param>
    /// <param name="neighborIp">The neighbour's address.</param>
    /// <returns>The leases left, and whether this was the last one (the caller should then remove the entry).</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="RegistryNotFoundException">The run holds no lease on this neighbour entry (nothing is written).</exception>
    /// <exception cref="RegistryLockTimeoutException">The neighbour lease lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException"><c>neighbor_leases.json</c> does not parse.</exception>
    LeaseRelease ReleaseNeighborLease(string runId, string hostName, string neighborIp);

    /// <summary>
    /// Removes the host and neighbour leases whose process is dead (pid gone, a zombie, or reused by a later
    /// process), and reports which hosts and neighbour entries were left without any lease. Never runs implicitly.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Leases written by this library carry the process start time and pid namespace, so pid reuse is recognised;
    /// leases written by the Python implementation carry only a pid, which is judged in this process's pid namespace
    /// and is kept while any process has that pid.
    /// </para>
    /// <para>
    /// A lease is never reaped when its process cannot be judged from here: it names another pid namespace, this
    /// process's <c>/proc</c> is of another pid namespace (a container given the host's <c>/proc</c>), or its start
    /// time differs but was read in another time namespace. Such leases stay, listed in
    /// <see cref="StaleLeaseReport.UnknownHostLeases"/> and <see cref="StaleLeaseReport.UnknownNeighborLeases"/>.
    /// </para>
    /// </remarks>
    /// <param name="dryRun"><see langword="true"/> to report without writing anything.</param>
    /// <returns>What was (or would be) removed.</returns>
    /// <exception cref="RegistryLockTimeoutException">A lease lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">A lease file does not parse.</exception>
    StaleLeaseReport ReapStaleLeases(bool dryRun = false);
}
