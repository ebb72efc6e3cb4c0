using System.Globalization;
using System.Text.Json;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Storage;

namespace Tsim.Registry;

public sealed partial class RegistryManager
{
    /// <summary>
    /// Registers a host unless its name, IP address (prefix length ignored) or MAC address is already registered.
    /// The check and the write happen under one lock, so two callers can never both register a colliding host.
    /// </summary>
    /// <param name="hostName">The unique host name: ASCII letters, digits, '.', '_' and '-'.</param>
    /// <param name="primaryIp">The IPv4 or IPv6 address, optionally with a prefix length (<c>10.0.0.10/24</c>).</param>
    /// <param name="connectedTo">The router the host is attached to.</param>
    /// <param name="macAddress">Six hex octets separated by ':' or '-'; stored lower-case with ':'.</param>
    /// <param name="additionalInfo">Extra fields stored in the host's entry (strings, numbers, booleans, null, dictionaries, lists or <see cref="JsonElement"/>), nested at most 63 levels (the dictionary itself counted) and without cycles.</param>
    /// <returns><see langword="true"/> when registered; <see langword="false"/> on a collision (nothing is written; <see cref="TryRegisterHost"/> says what collided).</returns>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it and the rule.</exception>
    /// <exception cref="RegistryLockTimeoutException">The host registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">The hosts file (<see cref="HostsFilePath"/>) does not parse.</exception>
    /// <exception cref="RegistryException">The registry could not be read or written.</exception>
    public bool CheckAndRegisterHost(
        string hostName,
        string primaryIp,
        string connectedTo,
        string macAddress,
        IReadOnlyDictionary<string, object?>? additionalInfo = null) =>
        TryRegisterHost(hostName, primaryIp, connectedTo, macAddress, additionalInfo).IsRegistered;

    /// <summary>
    /// Registers a host unless its name, IP address (prefix length ignored) or MAC address is already registered, and
    /// says which rule refused it and which registered host it collides with. The check and the write happen under one
    /// lock, so the reason is the one that held at the moment of the decision.
    /// </summary>
    /// <param name="hostName">The unique host name: ASCII letters, digits, '.', '_' and '-'.</param>
    /// <param name="primaryIp">The IPv4 or IPv6 address, optionally with a prefix length (<c>10.0.0.10/24</c>).</param>
    /// <param name="connectedTo">The router the host is attached to.</param>
    /// <param name="macAddress">Six hex octets separated by ':' or '-'; stored lower-case with ':'.</param>
    /// <param name="additionalInfo">Extra fields stored in the host's entry (strings, numbers, booleans, null, dictionaries, lists or <see cref="JsonElement"/>), nested at most 63 levels (the dictionary itself counted) and without cycles.</param>
    /// <returns>Registered, or the collision that refused it (nothing is written).</returns>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it and the rule.</exception>
    /// <exception cref="RegistryLockTimeoutException">The host registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">The hosts file (<see cref="HostsFilePath"/>) does not parse.</exception>
    /// <exception cref="RegistryException">The registry could not be read or written.</exception>
    public HostRegistrationResult TryRegisterHost(
        string hostName,
        string primaryIp,
        string connectedTo,
        string macAddress,
        IReadOnlyDictionary<string, object?>? additionalInfo = null)
    {
        NameRules.ThrowIfInvalidName(hostName, nameof(hostName));
        var ip = NetworkAddresses.CanonicalIpOrThrow(primaryIp, nameof(primaryIp));
        NameRules.ThrowIfInvalidName(connectedTo, nameof(connectedTo));
        var mac = NetworkAddresses.CanonicalMacOrThrow(macAddress, nameof(macAddress));
        var extra = AdditionalInfoJson.ToElements(additionalInfo, nameof(additionalInfo));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("register_host");

        var now = _timeProvider.GetLocalNow();
        var result = _documents.Hosts.TryAdd(hostName, new HostRecord
        {
            PrimaryIp = ip,
            ConnectedTo = connectedTo,
            MacAddress = mac,
            CreatedAt = PythonCTime(now),
            RegisteredAtTimestamp = UnixSeconds(now),
            Extra = extra,
        });
        if (!result.IsRegistered)
        {
            _logger.HostCollision(hostName, result.Reason!);
            return operation.Complete(result);
        }

        _logger.HostRegistered(hostName, ip, mac, connectedTo);
        Audit("register_host", w =>
        {
            w.WriteString("host_name", hostName);
            w.WriteString("ip", ip);
            w.WriteString("router", connectedTo);
        });
        return operation.Complete(result);
    }

    /// <summary>
    /// Registers a host, or throws <see cref="RegistryCollisionException"/> naming what collided; see
    /// <see cref="TryRegisterHost"/>.
    /// </summary>
    /// <param name="hostName">The unique host name: ASCII letters, digits, '.', '_' and '-'.</param>
    /// <param name="primaryIp">The IPv4 or IPv6 address, optionally with a prefix length (<c>10.0.0.10/24</c>).</param>
    /// <param name="connectedTo">The router the host is attached to.</param>
    /// <param name="macAddress">Six hex octets separated by ':' or '-'; stored lower-case with ':'.</param>
    /// <param name="additionalInfo">Extra fields stored in the host's entry (strings, numbers, booleans, null, dictionaries, lists or <see cref="JsonElement"/>), nested at most 63 levels (the dictionary itself counted) and without cycles.</param>
    /// <exception cref="RegistryCollisionException">The name, IP address or MAC address is already registered (nothing is written).</exception>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it and the rule.</exception>
    /// <exception cref="RegistryLockTimeoutException">The host registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">The hosts file (<see cref="HostsFilePath"/>) does not parse.</exception>
    /// <exception cref="RegistryException">The registry could not be read or written.</exception>
    public void RegisterHost(
        string hostName,
        string primaryIp,
        string connectedTo,
        string macAddress,
        IReadOnlyDictionary<string, object?>? additionalInfo = null)
    {
        var result = TryRegisterHost(hostName, primaryIp, connectedTo, macAddress, additionalInfo);
        if (!result.IsRegistered)
        {
            throw new RegistryCollisionException($"Host '{hostName}' was not registered: {result.Reason}.")
            {
                Collision = result.Collision,
                CollidingHostName = result.CollidingHostName,
            };
        }
    }

    /// <summary>Removes a host from the registry. Its leases, if any, are left for their holders to release.</summary>
    /// <param name="hostName">The host to remove.</param>
    /// <returns><see langword="true"/> when removed; <see langword="false"/> when it was not registered (nothing is written).</returns>
    /// <exception cref="ArgumentException"><paramref name="hostName"/> is invalid.</exception>
    /// <exception cref="RegistryLockTimeoutException">The host registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">The hosts file (<see cref="HostsFilePath"/>) does not parse.</exception>
    /// <exception cref="RegistryException">The registry could not be read or written.</exception>
    public bool UnregisterHost(string hostName)
    {
        NameRules.ThrowIfInvalidName(hostName, nameof(hostName));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("unregister_host");

        if (!_documents.Hosts.Remove(hostName))
        {
            return operation.Complete(false);
        }

        _logger.HostUnregistered(hostName);
        Audit("unregister_host", w => w.WriteString("host_name", hostName));
        return operation.Complete(true);
    }

    /// <summary>Gets a registered host. Reads without a lock: files are replaced atomically, so a read is never torn.</summary>
    /// <param name="hostName">The host to look up.</param>
    /// <returns>The host, or <see langword="null"/> when it is not registered.</returns>
    /// <exception cref="ArgumentException"><paramref name="hostName"/> is invalid.</exception>
    /// <exception cref="RegistryCorruptionException">The hosts file (<see cref="HostsFilePath"/>) does not parse.</exception>
    public HostInfo? GetHostInfo(string hostName)
    {
        NameRules.ThrowIfInvalidName(hostName, nameof(hostName));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("get_host_info");
        return operation.Complete(_documents.Hosts.Snapshot().TryGetValue(hostName, out var record) ? ToHostInfo(hostName, record) : null);
    }

    /// <summary>Gets every registered host, keyed by name.</summary>
    /// <returns>A snapshot of the registry.</returns>
    /// <exception cref="RegistryCorruptionException">The hosts file (<see cref="HostsFilePath"/>) does not parse.</exception>
    public IReadOnlyDictionary<string, HostInfo> ListAllHosts()
    {
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("list_all_hosts");
        var hosts = _documents.Hosts.Snapshot();
        var result = new Dictionary<string, HostInfo>(hosts.Count, StringComparer.Ordinal);
        foreach (var (name, record) in hosts)
        {
            result[name] = ToHostInfo(name, record);
        }

        return operation.Complete(result);
    }

    private static HostInfo ToHostInfo(string name, HostRecord record) => new(
        name,
        record.PrimaryIp ?? string.Empty,
        record.ConnectedTo ?? string.Empty,
        record.MacAddress ?? string.Empty,
        record.CreatedAt ?? string.Empty,
        record.RegisteredAtTimestamp is { } seconds ? FromUnixSeconds(seconds) : null,
        record.Extra ?? (IReadOnlyDictionary<string, JsonElement>)new Dictionary<string, JsonElement>());

    /// <summary>Formats like Python's <c>time.strftime('%c')</c> in the C locale: <c>Thu Nov 26 14:43:11 2026</c>.</summary>
    internal static string PythonCTime(DateTimeOffset localTime) =>
        string.Create(CultureInfo.InvariantCulture, $"{localTime:ddd MMM} {localTime.Day,2} {localTime:HH:mm:ss yyyy}");
}
