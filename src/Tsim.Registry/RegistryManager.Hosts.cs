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
    /// <param name="additionalInfo">Extra fields stored in the host's entry (strings, numbers, booleans, null, dictionaries, lists or <see cref="JsonElement"/>).</param>
    /// <returns><see langword="true"/> when registered; <see langword="false"/> on a collision (nothing is written).</returns>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it and the rule.</exception>
    /// <exception cref="RegistryLockTimeoutException">The host registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException"><c>hosts.json</c> does not parse.</exception>
    /// <exception cref="RegistryException">The registry could not be read or written.</exception>
    public bool CheckAndRegisterHost(
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

        using (HoldRegistryLock(_hostsLock, _options.LockTimeouts.HostRegistrySeconds))
        {
            var hosts = _io.ReadLocked(RegistryFiles.Hosts);
            if (FindCollision(hosts, hostName, ip, mac) is { } reason)
            {
                _logger.HostCollision(hostName, reason);
                return operation.Complete(false);
            }

            var now = _timeProvider.GetLocalNow();
            var record = new HostRecord
            {
                PrimaryIp = ip,
                ConnectedTo = connectedTo,
                MacAddress = mac,
                CreatedAt = PythonCTime(now),
                RegisteredAtTimestamp = UnixSeconds(now),
                Extra = extra,
            };
            var index = HostKeyIndex.For(hosts); // Before the change: it counts the hosts it has seen.
            hosts[hostName] = record;
            index.Added(record);
            _io.Write(RegistryFiles.Hosts, hosts);
        }

        _logger.HostRegistered(hostName, ip, mac, connectedTo);
        Audit("register_host", w =>
        {
            w.WriteString("host_name", hostName);
            w.WriteString("ip", ip);
            w.WriteString("router", connectedTo);
        });
        return operation.Complete(true);
    }

    /// <summary>Removes a host from the registry. Its leases, if any, are left for their holders to release.</summary>
    /// <param name="hostName">The host to remove.</param>
    /// <returns><see langword="true"/> when removed; <see langword="false"/> when it was not registered (nothing is written).</returns>
    /// <exception cref="ArgumentException"><paramref name="hostName"/> is invalid.</exception>
    /// <exception cref="RegistryLockTimeoutException">The host registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException"><c>hosts.json</c> does not parse.</exception>
    /// <exception cref="RegistryException">The registry could not be read or written.</exception>
    public bool UnregisterHost(string hostName)
    {
        NameRules.ThrowIfInvalidName(hostName, nameof(hostName));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("unregister_host");

        using (HoldRegistryLock(_hostsLock, _options.LockTimeouts.HostRegistrySeconds))
        {
            var hosts = _io.ReadLocked(RegistryFiles.Hosts);
            var index = HostKeyIndex.For(hosts); // Before the change: it counts the hosts it has seen.
            if (!hosts.Remove(hostName, out var removed))
            {
                return operation.Complete(false);
            }

            index.Removed(removed);

            _io.Write(RegistryFiles.Hosts, hosts);
        }

        _logger.HostUnregistered(hostName);
        Audit("unregister_host", w => w.WriteString("host_name", hostName));
        return operation.Complete(true);
    }

    /// <summary>Gets a registered host. Reads without a lock: files are replaced atomically, so a read is never torn.</summary>
    /// <param name="hostName">The host to look up.</param>
    /// <returns>The host, or <see langword="null"/> when it is not registered.</returns>
    /// <exception cref="ArgumentException"><paramref name="hostName"/> is invalid.</exception>
    /// <exception cref="RegistryCorruptionException"><c>hosts.json</c> does not parse.</exception>
    public HostInfo? GetHostInfo(string hostName)
    {
        NameRules.ThrowIfInvalidName(hostName, nameof(hostName));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("get_host_info");
        return operation.Complete(_io.Read(RegistryFiles.Hosts).TryGetValue(hostName, out var record) ? ToHostInfo(hostName, record) : null);
    }

    /// <summary>Gets every registered host, keyed by name.</summary>
    /// <returns>A snapshot of the registry.</returns>
    /// <exception cref="RegistryCorruptionException"><c>hosts.json</c> does not parse.</exception>
    public IReadOnlyDictionary<string, HostInfo> ListAllHosts()
    {
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("list_all_hosts");
        var hosts = _io.Read(RegistryFiles.Hosts);
        var result = new Dictionary<string, HostInfo>(hosts.Count, StringComparer.Ordinal);
        foreach (var (name, record) in hosts)
        {
            result[name] = ToHostInfo(name, record);
        }

        return operation.Complete(result);
    }

    private static string? FindCollision(Dictionary<string, HostRecord> hosts, string hostName, string ip, string mac)
    {
        if (hosts.ContainsKey(hostName))
        {
            return $"host name {hostName} is already registered";
        }

        // Compared in canonical form, so entries written by Python in another spelling (upper-case MAC, '-'
        // separators, a different prefix length) still collide. The index answers "no collision" at once; only a
        // collision walks the hosts, to name the first one it collides with.
        var ipKey = NetworkAddresses.AddressKey(ip);
        var index = HostKeyIndex.For(hosts);
        if (!index.ContainsIp(ipKey) && !index.ContainsMac(mac))
        {
            return null;
        }

        foreach (var (name, record) in hosts)
        {
            if (record.IpKey == ipKey)
            {
                return $"IP {ipKey} is already used by host {name}";
            }

            if (record.MacKey == mac)
            {
                return $"MAC {mac} is already used by host {name}";
            }
        }

        return null;
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
