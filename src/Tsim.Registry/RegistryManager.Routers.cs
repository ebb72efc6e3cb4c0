using System.Diagnostics;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Locking;

namespace Tsim.Registry;

public sealed partial class RegistryManager
{
    /// <summary>
    /// How often a router waiter re-checks the semaphore without an inotify event: a fallback for events lost to a
    /// full inotify queue or to a holder that crashed without touching the notify file. Long enough to cost nothing.
    /// </summary>
    private static readonly TimeSpan s_waitRecheckInterval = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public bool AcquireRouterLock(string routerName, string jobId, TimeSpan? timeout = null)
    {
        var checkedTimeout = CheckRouterJob(routerName, jobId, timeout);
        using var operation = RegistryTelemetry.StartOperation("acquire_router_lock");
        return operation.Complete(TryAcquireRouter(routerName, jobId, checkedTimeout));
    }

    /// <inheritdoc />
    public bool ReleaseRouterLock(string routerName, string jobId)
    {
        NameRules.ThrowIfInvalidName(routerName, nameof(routerName));
        NameRules.ThrowIfInvalidId(jobId, nameof(jobId));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("release_router_lock");

        if (!_locks.Release(RouterLockName(routerName), jobId))
        {
            return operation.Complete(false);
        }

        Audit("release_router_lock", w =>
        {
            w.WriteString("router", routerName);
            w.WriteString("job_id", jobId);
        });
        return operation.Complete(true);
    }

    /// <inheritdoc />
    public bool IsRouterLocked(string routerName)
    {
        NameRules.ThrowIfInvalidName(routerName, nameof(routerName));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("is_router_locked");
        return operation.Complete(_locks.GetValue(RouterLockName(routerName)) == 0);
    }

    /// <inheritdoc />
    public RouterLockOwner? GetRouterLockOwner(string routerName)
    {
        NameRules.ThrowIfInvalidName(routerName, nameof(routerName));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("get_router_lock_owner");
        var name = RouterLockName(routerName);
        if (_locks.GetValue(name) != 0)
        {
            return operation.Complete<RouterLockOwner?>(null); // Free: a record left behind would be stale.
        }

        return operation.Complete(_locks.Records.Read(name) is { } record
            ? new RouterLockOwner(routerName, record.JobId, record.Pid, record.StartTime, record.AcquiredAt)
            : null);
    }

    /// <inheritdoc />
    public bool AcquireAllRouterLocksAtomic(IEnumerable<string> routerNames, string jobId, TimeSpan? timeout = null)
    {
        var (routers, checkedTimeout) = CheckRoutersJob(routerNames, jobId, timeout);
        using var operation = RegistryTelemetry.StartOperation("acquire_all_router_locks");
        return operation.Complete(TryAcquireAllRouters(routers, jobId, checkedTimeout));
    }

    /// <inheritdoc />
    public int ReleaseAllRouterLocks(IEnumerable<string> routerNames, string jobId)
    {
        ArgumentNullException.ThrowIfNull(routerNames);
        var routers = routerNames.ToArray();
        foreach (var router in routers)
        {
            NameRules.ThrowIfInvalidName(router, nameof(routerNames));
        }

        NameRules.ThrowIfInvalidId(jobId, nameof(jobId));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("release_all_router_locks");

        var released = 0;
        foreach (var router in routers.Distinct(StringComparer.Ordinal))
        {
            if (ReleaseRouterLock(router, jobId))
            {
                released++;
            }
        }

        return operation.Complete(released);
    }

    /// <inheritdoc />
    public RouterLockScope RouterLock(string routerName, string jobId, TimeSpan? timeout = null)
    {
        var checkedTimeout = CheckRouterJob(routerName, jobId, timeout);

        // Its own operation, so that a timeout (thrown here) marks the activity and duration as failed.
        using var operation = RegistryTelemetry.StartOperation("router_lock");
        var hold = _locks.TryHoldRouters([RouterLockName(routerName)], jobId, checkedTimeout, _auditScopeRelease)
            ?? throw RouterTimeout(routerName, jobId, timeout);
        OnRouterAcquired(routerName, jobId);
        operation.Complete(true);
        return new RouterLockScope(hold, [routerName], jobId);
    }

    /// <inheritdoc />
    public RouterLockScope AllRouterLocks(IEnumerable<string> routerNames, string jobId, TimeSpan? timeout = null)
    {
        var (routers, checkedTimeout) = CheckRoutersJob(routerNames, jobId, timeout);

        using var operation = RegistryTelemetry.StartOperation("all_router_locks");
        var hold = _locks.TryHoldRouters(RouterLockNames(routers), jobId, checkedTimeout, _auditScopeRelease)
            ?? throw AllRoutersTimeout(routers, jobId, timeout);
        OnAllRoutersAcquired(routers, jobId);
        operation.Complete(true);
        return new RouterLockScope(hold, routers, jobId);
    }

    /// <inheritdoc />
    public bool WaitForRouter(string routerName, TimeSpan? timeout = null)
    {
        NameRules.ThrowIfInvalidName(routerName, nameof(routerName));
        var checkedTimeout = LockTimeout.From(timeout, _options.LockTimeouts.RouterLockSeconds, nameof(timeout));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("wait_for_router");
        return operation.Complete(WaitForRouterCore(routerName, checkedTimeout, Stopwatch.GetTimestamp()));
    }

    /// <inheritdoc />
    public bool WaitForAllRouters(IEnumerable<string> routerNames, TimeSpan? timeout = null)
    {
        var (routers, checkedTimeout) = CheckRoutersWait(routerNames, timeout);
        using var operation = RegistryTelemetry.StartOperation("wait_for_all_routers");

        var start = Stopwatch.GetTimestamp();
        foreach (var router in routers)
        {
            if (!WaitForRouterCore(router, checkedTimeout, start))
            {
                return operation.Complete(false);
            }
        }

        return operation.Complete(true);
    }

    private bool WaitForRouterCore(string routerName, LockTimeout timeout, long start)
    {
        // One implementation for both: the wait is event driven either way, and the synchronous caller's thread
        // simply blocks until the asynchronous core completes (it never needs the caller's context).
        var wait = WaitForRouterCoreAsync(routerName, timeout, start, CancellationToken.None);
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private LockName RouterLockName(string routerName) => LockName.Router(_options.SemaphorePrefix, routerName);

    private LockName[] RouterLockNames(string[] routers) => [.. routers.Select(RouterLockName)];

    /// <summary>
    /// The audit line of a router a scope released, as <see cref="ReleaseRouterLock"/> writes it. Called by the lock
    /// layer after the release, so it must not throw: <see cref="Audit"/> does not, even when the manager is being
    /// disposed on another thread.
    /// </summary>
    private void AuditScopeRelease(HeldLock held) =>
        Audit("release_router_lock", w =>
        {
            w.WriteString("router", held.Name.RouterName);
            w.WriteString("job_id", held.JobId);
        });

    private bool TryAcquireRouter(string routerName, string jobId, LockTimeout timeout)
    {
        if (!_locks.TryAcquire(RouterLockName(routerName), jobId, timeout))
        {
            return false;
        }

        OnRouterAcquired(routerName, jobId);
        return true;
    }

    private bool TryAcquireAllRouters(string[] routers, string jobId, LockTimeout timeout)
    {
        if (!_locks.TryAcquireAll(RouterLockNames(routers), jobId, timeout))
        {
            return false;
        }

        OnAllRoutersAcquired(routers, jobId);
        return true;
    }

    private void OnRouterAcquired(string routerName, string jobId) =>
        Audit("acquire_router_lock", w =>
        {
            w.WriteString("router", routerName);
            w.WriteString("job_id", jobId);
        });

    private void OnAllRoutersAcquired(string[] routers, string jobId) =>
        Audit("acquire_all_router_locks", w =>
        {
            w.WriteStartArray("routers");
            foreach (var router in routers)
            {
                w.WriteStringValue(router);
            }

            w.WriteEndArray();
            w.WriteString("job_id", jobId);
            w.WriteNumber("count", routers.Length);
        });

    private RegistryLockTimeoutException RouterTimeout(string routerName, string jobId, TimeSpan? timeout)
    {
        var effective = LockTimeout.From(timeout, _options.LockTimeouts.RouterLockSeconds, nameof(timeout));
        return new RegistryLockTimeoutException(
            $"Could not acquire the lock of router '{routerName}' for job '{jobId}' within {effective}.")
        {
            LockNames = [routerName],
            Timeout = effective.TimeSpan,
        };
    }

    private RegistryLockTimeoutException AllRoutersTimeout(string[] routers, string jobId, TimeSpan? timeout)
    {
        var effective = LockTimeout.From(timeout, _options.LockTimeouts.RouterLockAtomicSeconds, nameof(timeout));
        return new RegistryLockTimeoutException(
            $"Could not acquire the locks of routers {string.Join(", ", routers.Select(r => $"'{r}'"))} for job '{jobId}' within {effective}; none is held.")
        {
            LockNames = routers,
            Timeout = effective.TimeSpan,
        };
    }
}
