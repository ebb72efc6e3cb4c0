namespace Tsim.Registry;

/// <summary>
/// The outcome of <see cref="IHostRegistry.TryRegisterHost"/>: registered, or refused with the rule that refused it
/// and the registered host it collides with, as found under the registry lock at the moment of the decision.
/// </summary>
public sealed class HostRegistrationResult
{
    private HostRegistrationResult(HostCollisionKind collision, string? collidingHostName, string? reason)
    {
        Collision = collision;
        CollidingHostName = collidingHostName;
        Reason = reason;
    }

    /// <summary>Gets a value indicating whether the host was registered.</summary>
    public bool IsRegistered => Collision == HostCollisionKind.None;

    /// <summary>Gets the rule that refused the registration, or <see cref="HostCollisionKind.None"/> when it was registered.</summary>
    public HostCollisionKind Collision { get; }

    /// <summary>Gets the registered host the new one collides with, or <see langword="null"/> when it was registered.</summary>
    public string? CollidingHostName { get; }

    /// <summary>
    /// Gets why the registration was refused, for people (<c>IP 10.0.0.10 is already used by host web-1</c>), or
    /// <see langword="null"/> when it was registered. The CLI prints it after <c>COLLISION</c>.
    /// </summary>
    public string? Reason { get; }

    /// <summary>Gets the outcome of a registration that succeeded.</summary>
    public static HostRegistrationResult Registered { get; } = new(HostCollisionKind.None, null, null);

    /// <summary>
    /// Creates the outcome of a refused registration: for implementations of <see cref="IHostRegistry"/> other than
    /// <see cref="RegistryManager"/>, such as a test double.
    /// </summary>
    /// <param name="collision">The rule that refused it.</param>
    /// <param name="collidingHostName">The registered host the new one collides with.</param>
    /// <param name="reason">Why, for people (<c>IP 10.0.0.10 is already used by host web-1</c>).</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="collision"/> is <see cref="HostCollisionKind.None"/> (use <see cref="Registered"/>) or not a defined value.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="collidingHostName"/> or <paramref name="reason"/> is null or empty.</exception>
    public static HostRegistrationResult Refused(HostCollisionKind collision, string collidingHostName, string reason)
    {
        if (collision == HostCollisionKind.None || !Enum.IsDefined(collision))
        {
            throw new ArgumentOutOfRangeException(nameof(collision), collision, $"A refusal names the rule that refused it: {HostCollisionKind.HostName}, {HostCollisionKind.IpAddress} or {HostCollisionKind.MacAddress}.");
        }

        ArgumentException.ThrowIfNullOrEmpty(collidingHostName);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new(collision, collidingHostName, reason);
    }

    internal static HostRegistrationResult NameTaken(string hostName) =>
        new(HostCollisionKind.HostName, hostName, $"host name {hostName} is already registered");

    /// <summary>
    /// An IP collision, with the rule that refused it when that is not plain: on the same router in the router scope,
    /// or across routers in the global scope (where a tsim user would expect the host to be accepted).
    /// </summary>
    internal static HostRegistrationResult IpTaken(string ipKey, string hostName, string? takenOnRouter, string? requestedRouter, IpCollisionScope scope)
    {
        var reason = $"IP {ipKey} is already used by host {hostName}";
        if (scope == IpCollisionScope.Router)
        {
            reason += $" on the same router {takenOnRouter} (ip_collision_scope: router)";
        }
        else if (takenOnRouter is null)
        {
            reason += ", which names no router; ip_collision_scope: global"; // A record written elsewhere.
        }
        else if (!string.Equals(takenOnRouter, requestedRouter, StringComparison.Ordinal))
        {
            reason += $" on router {takenOnRouter} (ip_collision_scope: global, so addresses are unique across routers)";
        }

        return new(HostCollisionKind.IpAddress, hostName, reason);
    }

    internal static HostRegistrationResult MacTaken(string macKey, string hostName) =>
        new(HostCollisionKind.MacAddress, hostName, $"MAC {macKey} is already used by host {hostName}");

    /// <inheritdoc/>
    public override string ToString() => Reason ?? "registered";
}
