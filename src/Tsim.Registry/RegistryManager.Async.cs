using System.Diagnostics;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Locking;

namespace Tsim.Registry;

public sealed partial class RegistryManager
{
    /// <inheritdoc />
    public ValueTask<bool> AcquireRouterLockAsync(string routerName, string jobId, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var checkedTimeout = CheckRouterJob(routerName, jobId, timeout);
        return AcquireRouterLockCoreAsync(routerName, jobId, checkedTimeout, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> AcquireAllRouterLocksAtomicAsync(
        IEnumerable<string> routerNames,
        string jobId,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var (routers, checkedTimeout) = CheckRoutersJob(routerNames, jobId, timeout);
        return AcquireAllRouterLocksCoreAsync(routers, jobId, checkedTimeout, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<RouterLockScope> RouterLockAsync(
        string routerName,
        string jobId,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var checkedTimeout = CheckRouterJob(routerName, jobId, timeout);
        return RouterLockCoreAsync(routerName, jobId, checkedTimeout, timeout, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<RouterLockScope> AllRouterLocksAsync(
        IEnumerable<string> routerNames,
        string jobId,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var (routers, checkedTimeout) = CheckRoutersJob(routerNames, jobId, timeout);

        // Its own operation, so that a timeout (thrown here) marks the activity and duration as failed.
        using var operation = RegistryTelemetry.StartOperation("all_router_locks_async");
        var hold = await _locks.TryHoldRoutersAsync(RouterLockNames(routers), jobId, checkedTimeout, _auditScopeRelease, cancellationToken).ConfigureAwait(false)
            ?? throw AllRoutersTimeout(routers, jobId, timeout);
        OnAllRoutersAcquired(routers, jobId);
        operation.Complete(true);
        return new RouterLockScope(hold, routers, jobId);
    }

    /// <inheritdoc />
    public ValueTask<bool> WaitForRouterAsync(string routerName, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        NameRules.ThrowIfInvalidName(routerName, nameof(routerName));
        var checkedTimeout = LockTimeout.From(timeout, _options.LockTimeouts.RouterLockSeconds, nameof(timeout));
        ThrowIfDisposed();
        return WaitForRouterInstrumentedAsync(routerName, checkedTimeout, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<bool> WaitForAllRoutersAsync(IEnumerable<string> routerNames, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var (routers, checkedTimeout) = CheckRoutersWait(routerNames, timeout);

        using var operation = RegistryTelemetry.StartOperation("wait_for_all_routers_async");
        var start = Stopwatch.GetTimestamp();
        foreach (var router in routers)
        {
            if (!await WaitForRouterCoreAsync(router, checkedTimeout, start, cancellationToken).ConfigureAwait(false))
            {
                return operation.Complete(false);
            }
        }

        return operation.Complete(true);
    }

    private async ValueTask<bool> WaitForRouterInstrumentedAsync(string routerName, LockTimeout timeout, CancellationToken cancellationToken)
    {
        using var operation = RegistryTelemetry.StartOperation("wait_for_router_async");
        return operation.Complete(await WaitForRouterCoreAsync(routerName, timeout, Stopwatch.GetTimestamp(), cancellationToken).ConfigureAwait(false));
    }

    private async ValueTask<bool> AcquireRouterLockCoreAsync(string routerName, string jobId, LockTimeout timeout, CancellationToken cancellationToken)
    {
        using var operation = RegistryTelemetry.StartOperation("acquire_router_lock_async");
        return operation.Complete(await TryAcquireRouterAsync(routerName, jobId, timeout, cancellationToken).ConfigureAwait(false));
    }

    private async ValueTask<bool> AcquireAllRouterLocksCoreAsync(string[] routers, string jobId, LockTimeout timeout, CancellationToken cancellationToken)
    {
        using var operation = RegistryTelemetry.StartOperation("acquire_all_router_locks_async");
        return operation.Complete(await TryAcquireAllRoutersAsync(routers, jobId, timeout, cancellationToken).ConfigureAwait(false));
    }

    private async ValueTask<RouterLockScope> RouterLockCoreAsync(
        string routerName, string jobId, LockTimeout checkedTimeout, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        // Its own operation, so that a timeout (thrown here) marks the activity and duration as failed.
        using var operation = RegistryTelemetry.StartOperation("router_lock_async");
        var hold = await _locks.TryHoldRoutersAsync([RouterLockName(routerName)], jobId, checkedTimeout, _auditScopeRelease, cancellationToken).ConfigureAwait(false)
            ?? throw RouterTimeout(routerName, jobId, timeout);
        OnRouterAcquired(routerName, jobId);
        operation.Complete(true);
        return new RouterLockScope(hold, [routerName], jobId);
    }

    private async ValueTask<bool> TryAcquireRouterAsync(string routerName, string jobId, LockTimeout timeout, CancellationToken cancellationToken)
    {
        if (!await _locks.TryAcquireAsync(RouterLockName(routerName), jobId, timeout, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        OnRouterAcquired(routerName, jobId);
        return true;
    }

    private async ValueTask<bool> TryAcquireAllRoutersAsync(string[] routers, string jobId, LockTimeout timeout, CancellationToken cancellationToken)
    {
        if (!await _locks.TryAcquireAllAsync(RouterLockNames(routers), jobId, timeout, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        OnAllRoutersAcquired(routers, jobId);
        return true;
    }

    private async ValueTask<bool> WaitForRouterCoreAsync(string routerName, LockTimeout timeout, long start, CancellationToken cancellationToken)
    {
        var name = RouterLockName(routerName);
        if (_locks.GetValue(name) != 0)
        {
            return true; // Free (1) or never created (-1): no need to start watching.
        }

        var files = _locks.Files;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Subscribe first, then look: a release between the look and the wait still completes the subscription.
            using var subscription = _locks.Watcher.Subscribe(
                Path.GetFileName(files.NotifyPath(routerName)),
                Path.GetFileName(files.OwnerRecordPath(name)));
            if (_locks.GetValue(name) != 0)
            {
                return true; // Free (1), or never created (-1).
            }

            var remaining = timeout.Remaining(start);
            if (remaining.IsZero)
            {
                return false;
            }

            var slice = remaining.IsInfinite || remaining.TimeSpan > s_waitRecheckInterval ? s_waitRecheckInterval : remaining.TimeSpan;
            try
            {
                await subscription.Changed.WaitAsync(slice, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The coarse re-check: a holder that died never posts, so a pure waiter recovers it like an acquirer.
                _locks.TryRecoverDeadOwner(name);
            }
        }
    }
}
