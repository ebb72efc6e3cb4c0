
namespace Tsim.Registry;

/// <summary>The leases on one source host.</summary>
/// <param name="HostName">The host.</param>
/// <param name="RouterName">The router recorded with the first lease.</param>
/// <param name="Leases">The leases, oldest first. Each is one reference: the host may be deleted when none is left.</param>
public sealed record HostLeases(string HostName, string? RouterName, IReadOnlyList<HostLease> Leases)
{
    /// <summary>Gets the reference count: the number of leases.</summary>
    public int RefCount => Leases.Count;
}
