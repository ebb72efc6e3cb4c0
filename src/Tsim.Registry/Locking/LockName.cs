namespace Tsim.Registry.Locking;

/// <summary>
/// The name of one lock: <c>PREFIX-hosts-registry</c>, <c>PREFIX-host-leases</c>, <c>PREFIX-neighbor-leases</c> or
/// <c>PREFIX-router-ROUTER</c>. The semaphore is <c>/NAME</c>; glibc stores it as <c>/dev/shm/sem.NAME</c>.
/// </summary>
internal readonly record struct LockName
{
    private LockName(string value, string? routerName)
    {
        Value = value;
        RouterName = routerName;
    }

    /// <summary>Gets the lock name without the leading '/'.</summary>
    internal string Value { get; }

    /// <summary>Gets the router this lock guards, or <see langword="null"/> for the three registry locks.</summary>
    internal string? RouterName { get; }

    internal bool IsRouter => RouterName is not null;

    internal string SemaphoreName => "/" + Value;

    internal static LockName HostsRegistry(string prefix) => new($"{prefix}-hosts-registry", null);

    internal static LockName HostLeases(string prefix) => new($"{prefix}-host-leases", null);

    internal static LockName NeighborLeases(string prefix) => new($"{prefix}-neighbor-leases", null);

    /// <summary>Names a router's lock. The router name must already be validated.</summary>
    internal static LockName Router(string prefix, string routerName) => new($"{prefix}-router-{routerName}", routerName);

    public override string ToString() => Value;
}
