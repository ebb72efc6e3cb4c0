using Tsim.Registry.Diagnostics;
using Tsim.Registry.Locking;
using Tsim.Registry.Storage;

namespace Tsim.Registry;

public sealed partial class RegistryManager
{
    /// <inheritdoc />
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

    /// <inheritdoc />
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

    /// <inheritdoc />
    public bool ForceReleaseRouterLock(string routerName)
    {
        NameRules.ThrowIfInvalidName(routerName, nameof(routerName));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("force_release_router_lock");
        return operation.Complete(_locks.ForceRelease(RouterLockName(routerName)));
    }

    /// <inheritdoc />
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
