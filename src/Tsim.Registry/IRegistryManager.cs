namespace Tsim.Registry;

/// <summary>
/// The whole registry: hosts (<see cref="IHostRegistry"/>), leases (<see cref="ILeaseRegistry"/>) and router locks
/// (<see cref="IRouterLocks"/>), plus where the registry lives and what an operator needs to inspect and repair it.
/// <see cref="RegistryManager"/> implements it.
/// </summary>
/// <remarks>
/// <para>
/// Take the narrowest role a service needs; take this interface when it needs several. <c>AddTsimRegistry</c>
/// registers <see cref="RegistryManager"/> as itself, as this interface and as each role, all resolving to one
/// singleton.
/// </para>
/// <para>
/// It is not <see cref="IDisposable"/>: whoever creates the manager disposes it (the container, for a registered one),
/// not the services that use it through an interface.
/// </para>
/// </remarks>
public interface IRegistryManager : IHostRegistry, ILeaseRegistry, IRouterLocks
{
    /// <summary>Gets the registry directory in use.</summary>
    string RegistryDirectory { get; }

    /// <summary>Gets the lock directory in use (owner records and notify files).</summary>
    string LockDirectory { get; }

    /// <summary>Gets the semaphore name prefix in use.</summary>
    string SemaphorePrefix { get; }

    /// <summary>Gets the path of the hosts file in use (<c>hosts.json</c>, or tsim's <c>host_registry.json</c>; <see cref="RegistryManagerOptions.RegistryFiles"/>).</summary>
    string HostsFilePath { get; }

    /// <summary>Gets the path of the host leases file in use.</summary>
    string HostLeasesFilePath { get; }

    /// <summary>Gets the path of the neighbour leases file in use.</summary>
    string NeighborLeasesFilePath { get; }

    /// <summary>Gets which registered hosts a new host's IP address must differ from.</summary>
    IpCollisionScope IpCollisionScope { get; }

    /// <summary>
    /// Lists every lock of this registry that is held right now, by any process, with its recorded owner and
    /// whether that owner is alive. Routers are found from the lock directory (owner records and notify files).
    /// </summary>
    /// <returns>The held locks, registry locks first, then routers in ordinal order.</returns>
    IReadOnlyList<LockStatus> ListHeldLocks();

    /// <summary>
    /// Operator override for any held lock, named as <see cref="ListHeldLocks"/> reports it: a router lock
    /// (<c>PREFIX-router-NAME</c>) or one of the three registry locks (<c>PREFIX-hosts-registry</c>,
    /// <c>PREFIX-host-leases</c>, <c>PREFIX-neighbor-leases</c>), which a process killed in the middle of a registry
    /// call can leave held without a usable record. Same rules as <see cref="IRouterLocks.ForceReleaseRouterLock"/>. Every router lock
    /// <see cref="ListHeldLocks"/> can list is accepted, also one of a router name only the Python implementation
    /// creates (<c>tsim-router-_x</c>). A lock whose semaphore does not exist is not held, and no semaphore is created.
    /// </summary>
    /// <param name="lockName">The lock name, without a leading '/'.</param>
    /// <returns><see langword="true"/> when the lock was freed; <see langword="false"/> when it was not held.</returns>
    /// <exception cref="ArgumentException"><paramref name="lockName"/> is not a lock of this registry.</exception>
    /// <exception cref="InvalidOperationException">The recorded owner is alive, or of another pid namespace.</exception>
    bool ForceReleaseLock(string lockName);

    /// <summary>
    /// Operator repair: moves every registry file that is not JSON at all (a syntax error, invalid UTF-8, a truncated
    /// write) aside to <c>FILE.corrupt-yyyyMMddTHHmmssZ</c> (UTC), so that the registry starts again from an empty file
    /// of that kind. Each file is judged and moved under its own registry lock, so no writer of this library (or of the
    /// Python implementation) can replace it in between. Files that parse are left as they are; nothing is ever deleted.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Never runs implicitly: a corrupt file is evidence, and the hosts and leases it held are lost to the registry
    /// once it is moved (their simulated hosts may need tearing down by hand).
    /// </para>
    /// <para>
    /// A file that is JSON but cannot be used (another shape, a <c>null</c> entry, nesting deeper than the library
    /// reads) is never moved: Python may still read every host in it. The other files are judged and moved all the
    /// same, then the <see cref="RegistryCorruptionException"/> of the first such file is thrown, naming the problem
    /// and what was moved; the operator corrects that file by hand.
    /// </para>
    /// </remarks>
    /// <returns>The files moved, in the order hosts, host leases, neighbour leases; empty when none is corrupt.</returns>
    /// <exception cref="RegistryLockTimeoutException">A registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">A file is JSON but cannot be used; it was left where it is
    /// (<see cref="RegistryCorruptionException.FilePath"/>), and the message lists the files moved.</exception>
    /// <exception cref="RegistryException">A file could not be read or moved.</exception>
    IReadOnlyList<QuarantinedFile> QuarantineCorruptFiles();
}
