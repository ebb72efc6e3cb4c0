using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Tsim.Registry;

/// <summary>
/// Default lock timeouts, in seconds as in the specification's <c>lock_timeouts</c> section. A method's
/// <c>timeout</c> argument of <see langword="null"/> means the matching value here.
/// </summary>
/// <remarks>
/// Seconds are kept as numbers, not <see cref="TimeSpan"/>, because the configuration binder would read the
/// specification's <c>5.0</c> as five days. Each value lies between 0 and <see cref="MaxSeconds"/>; 0 means try once.
/// </remarks>
public sealed class RegistryLockTimeouts
{
    /// <summary>
    /// The longest timeout accepted: <see cref="int.MaxValue"/> milliseconds, the limit of the waits underneath.
    /// </summary>
    public const double MaxSeconds = int.MaxValue / 1000.0;

    /// <summary>Gets or sets the timeout of the host registry lock (register, unregister, lease existence checks).</summary>
    /// <value>Default 5 seconds. JSON key <c>host_registry</c>.</value>
    [ConfigurationKeyName("host_registry")]
    [Range(0.0, MaxSeconds)]
    public double HostRegistrySeconds { get; set; } = 5.0;

    /// <summary>Gets or sets the timeout of the host lease lock.</summary>
    /// <value>Default 3 seconds. JSON key <c>host_leases</c>.</value>
    [ConfigurationKeyName("host_leases")]
    [Range(0.0, MaxSeconds)]
    public double HostLeasesSeconds { get; set; } = 3.0;

    /// <summary>Gets or sets the default timeout of a single router lock and of waiting for a router.</summary>
    /// <value>Default 30 seconds. JSON key <c>router_lock</c>.</value>
    [ConfigurationKeyName("router_lock")]
    [Range(0.0, MaxSeconds)]
    public double RouterLockSeconds { get; set; } = 30.0;

    /// <summary>Gets or sets the default total timeout of acquiring several router locks at once.</summary>
    /// <value>Default 60 seconds. JSON key <c>router_lock_atomic</c>.</value>
    [ConfigurationKeyName("router_lock_atomic")]
    [Range(0.0, MaxSeconds)]
    public double RouterLockAtomicSeconds { get; set; } = 60.0;

    /// <summary>Gets or sets the timeout of the neighbour lease lock.</summary>
    /// <value>Default 3 seconds. JSON key <c>neighbor_leases</c>.</value>
    [ConfigurationKeyName("neighbor_leases")]
    [Range(0.0, MaxSeconds)]
    public double NeighborLeasesSeconds { get; set; } = 3.0;
}
