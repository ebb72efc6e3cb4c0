namespace Tsim.Registry;

/// <summary>
/// The host registry: which simulated hosts exist, with no two of the same name, IP address or MAC address. One of the
/// roles of <see cref="RegistryManager"/>; a service that only registers hosts takes this interface, so that its tests
/// can give it a fake.
/// </summary>
/// <remarks>
/// <see cref="IRegistryManager"/> combines every role. <see cref="RegistryManager"/> is the implementation, and
/// <c>AddTsimRegistry</c> registers it as this interface too, all resolving to one singleton.
/// </remarks>
public interface IHostRegistry
{
    /// <summary>
    /// Registers a host unless its name, IP address (prefix length ignored) or MAC address is already registered.
    /// The check and the write happen under one lock, so two callers can never both register a colliding host.
    /// </summary>
    /// <param name="hostName">The unique host name: ASCII letters, digits, '.', '_' and '-'.</param>
    /// <param name="primaryIp">The IPv4 or IPv6 address, optionally with a prefix length (<c>10.0.0.10/24</c>).</param>
    /// <param name="connectedTo">The router the host is attached to.</param>
    /// <param name="macAddress">Six hex octets separated by ':' or '-'; stored lower-case with ':'.</param>
    /// <param name="additionalInfo">Extra fields stored in the host's entry (strings, numbers, booleans, null, dictionaries, lists or <see cref="System.Text.Json.JsonElement"/>), nested at most 63 levels (the dictionary itself counted) and without cycles.</param>
    /// <returns><see langword="true"/> when registered; <see langword="false"/> on a collision (nothing is written; <see cref="TryRegisterHost"/> says what collided).</returns>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it and the rule.</exception>
    /// <exception cref="RegistryLockTimeoutException">The host registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">The hosts file (<see cref="IRegistryManager.HostsFilePath"/>) does not parse.</exception>
    /// <exception cref="RegistryException">The registry could not be read or written.</exception>
    bool CheckAndRegisterHost(
        string hostName,
        string primaryIp,
        string connectedTo,
        string macAddress,
        IReadOnlyDictionary<string, object?>? additionalInfo = null);

    /// <summary>
    /// Registers a host unless its name, IP address (prefix length ignored) or MAC address is already registered, and
    /// says which rule refused it and which registered host it collides with. The check and the write happen under one
    /// lock, so the reason is the one that held at the moment of the decision.
    /// </summary>
    /// <param name="hostName">The unique host name: ASCII letters, digits, '.', '_' and '-'.</param>
    /// <param name="primaryIp">The IPv4 or IPv6 address, optionally with a prefix length (<c>10.0.0.10/24</c>).</param>
    /// <param name="connectedTo">The router the host is attached to.</param>
    /// <param name="macAddress">Six hex octets separated by ':' or '-'; stored lower-case with ':'.</param>
    /// <param name="additionalInfo">Extra fields stored in the host's entry (strings, numbers, booleans, null, dictionaries, lists or <see cref="System.Text.Json.JsonElement"/>), nested at most 63 levels (the dictionary itself counted) and without cycles.</param>
    /// <returns>Registered, or the collision that refused it (nothing is written).</returns>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it and the rule.</exception>
    /// <exception cref="RegistryLockTimeoutException">The host registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">The hosts file (<see cref="IRegistryManager.HostsFilePath"/>) does not parse.</exception>
    /// <exception cref="RegistryException">The registry could not be read or written.</exception>
    HostRegistrationResult TryRegisterHost(
        string hostName,
        string primaryIp,
        string connectedTo,
        string macAddress,
        IReadOnlyDictionary<string, object?>? additionalInfo = null);

    /// <summary>
    /// Registers a host, or throws <see cref="RegistryCollisionException"/> naming what collided; see
    /// <see cref="TryRegisterHost"/>.
    /// </summary>
    /// <param name="hostName">The unique host name: ASCII letters, digits, '.', '_' and '-'.</param>
    /// <param name="primaryIp">The IPv4 or IPv6 address, optionally with a prefix length (<c>10.0.0.10/24</c>).</param>
    /// <param name="connectedTo">The router the host is attached to.</param>
    /// <param name="macAddress">Six hex octets separated by ':' or '-'; stored lower-case with ':'.</param>
    /// <param name="additionalInfo">Extra fields stored in the host's entry (strings, numbers, booleans, null, dictionaries, lists or <see cref="System.Text.Json.JsonElement"/>), nested at most 63 levels (the dictionary itself counted) and without cycles.</param>
    /// <exception cref="RegistryCollisionException">The name, IP address or MAC address is already registered (nothing is written).</exception>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it and the rule.</exception>
    /// <exception cref="RegistryLockTimeoutException">The host registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">The hosts file (<see cref="IRegistryManager.HostsFilePath"/>) does not parse.</exception>
    /// <exception cref="RegistryException">The registry could not be read or written.</exception>
    void RegisterHost(
        string hostName,
        string primaryIp,
        string connectedTo,
        string macAddress,
        IReadOnlyDictionary<string, object?>? additionalInfo = null);

    /// <summary>Removes a host from the registry. Its leases, if any, are left for their holders to release.</summary>
    /// <param name="hostName">The host to remove.</param>
    /// <returns><see langword="true"/> when removed; <see langword="false"/> when it was not registered (nothing is written).</returns>
    /// <exception cref="ArgumentException"><paramref name="hostName"/> is invalid.</exception>
    /// <exception cref="RegistryLockTimeoutException">The host registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">The hosts file (<see cref="IRegistryManager.HostsFilePath"/>) does not parse.</exception>
    /// <exception cref="RegistryException">The registry could not be read or written.</exception>
    bool UnregisterHost(string hostName);

    /// <summary>Gets a registered host. Reads without a lock: files are replaced atomically, so a read is never torn.</summary>
    /// <param name="hostName">The host to look up.</param>
    /// <returns>The host, or <see langword="null"/> when it is not registered.</returns>
    /// <exception cref="ArgumentException"><paramref name="hostName"/> is invalid.</exception>
    /// <exception cref="RegistryCorruptionException">The hosts file (<see cref="IRegistryManager.HostsFilePath"/>) does not parse.</exception>
    HostInfo? GetHostInfo(string hostName);

    /// <summary>Gets every registered host, keyed by name.</summary>
    /// <returns>A snapshot of the registry.</returns>
    /// <exception cref="RegistryCorruptionException">The hosts file (<see cref="IRegistryManager.HostsFilePath"/>) does not parse.</exception>
    IReadOnlyDictionary<string, HostInfo> ListAllHosts();
}
