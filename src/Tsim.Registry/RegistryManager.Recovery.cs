using Tsim.Registry.Diagnostics;
using Tsim.Registry.Locking;
using Tsim.Registry.Storage;

namespace Tsim.Registry;

public sealed partial class RegistryManager
{
    /// <summary>
    /// Lists every lock of this registry that is held right now, by any process, with its recorded owner and
    /// whether that owner is alive. Routers are found from the lock directory (owner records and notify files).
    /// </summary>
    /// <returns>The held locks, registry locks first, then routers in ordinal order.</returns>
    public IReadOnlyList<LockStatus> ListHeldLocks()
    {
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("list_held_locks");
        var result = new List<LockStatus>();
        foreach (var name in _documents.LockNames)
        {
            AddIfHeld(result, name);
        }

        foreach (var router in _locks.Files.KnownRouters(_options.SemaphorePrefix))
        {
            AddIfHeld(result, RouterLockName(router));
        }

        return operation.Complete(result);
    }

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
    public StaleLeaseReport ReapStaleLeases(bool dryRun = false)
    {
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("reap_stale_leases");
        var (hostLeases, unknownHostLeases, hostsReleased) = Reap(_documents.HostLeases, dryRun);
        var (neighborLeases, unknownNeighborLeases, neighborsReleased) = Reap(_documents.NeighborLeases, dryRun);

        if (!dryRun)
        {
            foreach (var lease in hostLeases)
            {
                _logger.StaleLeaseReaped("host", lease.RunId, lease.Key, lease.Pid);
            }

            foreach (var lease in neighborLeases)
            {
                _logger.StaleLeaseReaped("neighbour", lease.RunId, lease.Key, lease.Pid);
            }

            Audit("reap_stale_leases", w =>
            {
                w.WriteNumber("host_leases", hostLeases.Count);
                w.WriteNumber("neighbor_leases", neighborLeases.Count);
            });
        }

        return operation.Complete(new StaleLeaseReport(hostLeases, neighborLeases, hostsReleased, neighborsReleased, dryRun)
        {
            UnknownHostLeases = unknownHostLeases,
            UnknownNeighborLeases = unknownNeighborLeases,
        });
    }

    /// <summary>
    /// Operator override for a router lock whose holder died without a usable owner record (killed in the
    /// microseconds between acquiring and writing its record): frees it. Refuses while the recorded owner is alive.
    /// </summary>
    /// <remarks>
    /// A holder that writes no owner record at all (a process of the Python implementation) looks exactly like such a
    /// lock: only use this when you know the holder is gone, e.g. after <see cref="ListHeldLocks"/> shows
    /// <see cref="LockOwnerState.NoRecord"/> and no job runner of the router is running.
    /// </remarks>
    /// <param name="routerName">The router.</param>
    /// <returns><see langword="true"/> when the lock was freed; <see langword="false"/> when it was not held.</returns>
    /// <exception cref="ArgumentException"><paramref name="routerName"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">The recorded owner is alive, or of another pid namespace.</exception>
    public bool ForceReleaseRouterLock(string routerName)
    {
        NameRules.ThrowIfInvalidName(routerName, nameof(routerName));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("force_release_router_lock");
        return operation.Complete(_locks.ForceRelease(RouterLockName(routerName)));
    }

    /// <summary>
    /// Operator override for any held lock, named as <see cref="ListHeldLocks"/> reports it: a router lock
    /// (<c>PREFIX-router-NAME</c>) or one of the three registry locks (<c>PREFIX-hosts-registry</c>,
    /// <c>PREFIX-host-leases</c>, <c>PREFIX-neighbor-leases</c>), which a process killed in the middle of a registry
    /// call can leave held without a usable record. Same rules as <see cref="ForceReleaseRouterLock"/>. Every router lock
    /// <see cref="ListHeldLocks"/> can list is accepted, also one of a router name only the Python implementation
    /// creates (<c>tsim-router-_x</c>). A lock whose semaphore does not exist is not held, and no semaphore is created.
    /// </summary>
    /// <param name="lockName">The lock name, without a leading '/'.</param>
    /// <returns><see langword="true"/> when the lock was freed; <see langword="false"/> when it was not held.</returns>
    /// <exception cref="ArgumentException"><paramref name="lockName"/> is not a lock of this registry.</exception>
    /// <exception cref="InvalidOperationException">The recorded owner is alive, or of another pid namespace.</exception>
    public bool ForceReleaseLock(string lockName)
    {
        ArgumentNullException.ThrowIfNull(lockName);
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("force_release_lock");
        return operation.Complete(_locks.ForceRelease(ResolveLockName(lockName)));
    }

    private LockName ResolveLockName(string lockName) => LockName.Parse(_options.SemaphorePrefix, lockName, nameof(lockName));

    /// <summary>
    /// The state of one lock, as <see cref="ListHeldLocks"/> would list it, or <see langword="null"/> when it is not held
    /// (or its semaphore does not exist). Creates nothing. For the CLI's <c>unlock</c>, which must know before forcing
    /// whether the lock has an owner record.
    /// </summary>
    internal LockStatus? GetHeldLockStatus(LockName name)
    {
        ThrowIfDisposed();
        var result = new List<LockStatus>(1);
        AddIfHeld(result, name);
        return result.Count == 0 ? null : result[0];
    }

    /// <summary>Removes the leases of dead processes from one lease file, under its lock; writes nothing in a dry run.</summary>
    private static (List<StaleLease> Stale, List<StaleLease> Unknown, List<string> Released) Reap<TEntry, TRecord>(LeaseDocument<TEntry, TRecord> leases, bool dryRun)
        where TEntry : class, ILeaseEntry<TRecord>
        where TRecord : class, ILeaseRecord
    {
        var (stale, unknown, released) = leases.RemoveStale(
            lease => OwnerLivenessCheck.CheckLease(lease.Pid, lease.PidStartTime, lease.PidNamespace),
            dryRun);
        return ([.. stale.Select(ToStaleLease)], [.. unknown.Select(ToStaleLease)], released);

        static StaleLease ToStaleLease((string Key, TRecord Lease) found) =>
            new(found.Key, found.Lease.RunId, found.Lease.Pid, FromUnixSeconds(found.Lease.AllocatedAt));
    }

    private void AddIfHeld(List<LockStatus> result, LockName name)
    {
        if (_locks.GetValue(name) != 0)
        {
            return;
        }

        if (_locks.Records.Read(name) is not { } record)
        {
            result.Add(new LockStatus(name.Value, name.RouterName, LockOwnerState.NoRecord, null, null, null));
            return;
        }

        var state = OwnerLivenessCheck.Check(record) switch
        {
            OwnerLiveness.Alive => LockOwnerState.Alive,
            OwnerLiveness.Dead => LockOwnerState.Dead,
            _ => LockOwnerState.Unknown,
        };
        result.Add(new LockStatus(name.Value, name.RouterName, state, record.JobId, record.Pid, record.AcquiredAt));
    }
}
