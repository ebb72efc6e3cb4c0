using Tsim.Registry.Diagnostics;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Storage;

/// <summary>
/// The three registry files of one registry, under their configured names, each bound to its lock and the configured
/// timeout of that lock.
/// </summary>
internal sealed class RegistryDocuments
{
    internal RegistryDocuments(RegistryIO io, LockManager locks, RegistryManagerOptions options)
    {
        var prefix = options.SemaphorePrefix;
        var timeouts = options.LockTimeouts;
        var directory = io.Directory;
        var names = options.RegistryFiles;
        Hosts = new HostsDocument(new(
            io,
            RegistryFiles.Hosts.Named(names.Hosts),
            locks,
            Locking.LockName.HostsRegistry(prefix),
            LockTimeout.FromSeconds(timeouts.HostRegistrySeconds),
            hosts => RegistryTelemetry.RecordHosts(directory, hosts.Count)),
            options.IpCollisionScope);
        HostLeases = new(new(
            io,
            RegistryFiles.HostLeases.Named(names.HostLeases),
            locks,
            Locking.LockName.HostLeases(prefix),
            LockTimeout.FromSeconds(timeouts.HostLeasesSeconds),
            leases => RegistryTelemetry.RecordHostLeases(directory, leases.Values.Sum(static e => e.Leases.Count))));
        NeighborLeases = new(new(
            io,
            RegistryFiles.NeighborLeases.Named(names.NeighborLeases),
            locks,
            Locking.LockName.NeighborLeases(prefix),
            LockTimeout.FromSeconds(timeouts.NeighborLeasesSeconds)));
    }

    /// <summary>Gets the hosts file (<c>hosts.json</c>, tsim's <c>host_registry.json</c>), guarded by <c>PREFIX-hosts-registry</c>.</summary>
    internal HostsDocument Hosts { get; }

    /// <summary>Gets the host leases file (<c>host_leases.json</c>), guarded by <c>PREFIX-host-leases</c>.</summary>
    internal LeaseDocument<HostLeaseEntry, HostLeaseRecord> HostLeases { get; }

    /// <summary>Gets the neighbour leases file (<c>neighbor_leases.json</c>), guarded by <c>PREFIX-neighbor-leases</c>.</summary>
    internal LeaseDocument<NeighborLeaseEntry, NeighborLeaseRecord> NeighborLeases { get; }

    /// <summary>Gets the three registry locks, in the specification's order (hosts registry, host leases, neighbour leases).</summary>
    internal LockName[] LockNames => [Hosts.Document.LockName, HostLeases.Document.LockName, NeighborLeases.Document.LockName];
}
