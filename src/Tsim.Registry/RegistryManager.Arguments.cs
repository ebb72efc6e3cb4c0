using Tsim.Registry.Locking;
using Tsim.Registry.Storage;

namespace Tsim.Registry;

public sealed partial class RegistryManager
{
    // Every router method validates the same arguments in the same order before anything is touched, then checks
    // that the manager is not disposed; these helpers are that one sequence. Their parameter names are the public
    // methods' own, so an ArgumentException names the caller's argument.

    /// <summary>Checks a router, a job and a timeout (<see langword="null"/> = <c>router_lock</c>).</summary>
    private LockTimeout CheckRouterJob(string routerName, string jobId, TimeSpan? timeout)
    {
        NameRules.ThrowIfInvalidName(routerName, nameof(routerName));
        NameRules.ThrowIfInvalidId(jobId, nameof(jobId));
        return CheckTimeoutAndState(timeout, _options.LockTimeouts.RouterLockSeconds);
    }

    /// <summary>Checks several routers (sorted, distinct), a job and a timeout (<see langword="null"/> = <c>router_lock_atomic</c>).</summary>
    private (string[] Routers, LockTimeout Timeout) CheckRoutersJob(IEnumerable<string> routerNames, string jobId, TimeSpan? timeout)
    {
        var routers = NameRules.SortedDistinctRouterNames(routerNames, nameof(routerNames));
        NameRules.ThrowIfInvalidId(jobId, nameof(jobId));
        return (routers, CheckTimeoutAndState(timeout, _options.LockTimeouts.RouterLockAtomicSeconds));
    }

    /// <summary>Checks several routers (sorted, distinct) to wait for and a timeout (<see langword="null"/> = <c>router_lock</c>).</summary>
    private (string[] Routers, LockTimeout Timeout) CheckRoutersWait(IEnumerable<string> routerNames, TimeSpan? timeout)
    {
        var routers = NameRules.SortedDistinctRouterNames(routerNames, nameof(routerNames));
        return (routers, CheckTimeoutAndState(timeout, _options.LockTimeouts.RouterLockSeconds));
    }

    /// <summary>Checks a run, a host and a neighbour address, and names their neighbour lease entry.</summary>
    private (string Key, string NeighborIp) CheckNeighborLease(string runId, string hostName, string neighborIp)
    {
        NameRules.ThrowIfInvalidId(runId, nameof(runId));
        NameRules.ThrowIfInvalidName(hostName, nameof(hostName));
        var ip = NetworkAddresses.CanonicalIpOrThrow(neighborIp, nameof(neighborIp));
        ThrowIfDisposed();
        return (NeighborLeaseEntry.Key(hostName, ip), ip);
    }

    private LockTimeout CheckTimeoutAndState(TimeSpan? timeout, double defaultSeconds)
    {
        var checkedTimeout = LockTimeout.From(timeout, defaultSeconds, nameof(timeout));
        ThrowIfDisposed();
        return checkedTimeout;
    }
}
