using System.Globalization;
using System.Text.Json;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Storage;

namespace Tsim.Registry;

public sealed partial class RegistryManager
{
    /// <inheritdoc />
    public bool CheckAndRegisterHost(
        string hostName,
        string primaryIp,
        string connectedTo,
        string macAddress,
        IReadOnlyDictionary<string, object?>? additionalInfo = null) =>
        TryRegisterHost(hostName, primaryIp, connectedTo, macAddress, additionalInfo).IsRegistered;

    /// <inheritdoc />
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

    /// <inheritdoc />
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

    /// <inheritdoc />
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

    /// <inheritdoc />
    public HostInfo? GetHostInfo(string hostName)
    {
        NameRules.ThrowIfInvalidName(hostName, nameof(hostName));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("get_host_info");
        return operation.Complete(_documents.Hosts.Snapshot().TryGetValue(hostName, out var record) ? ToHostInfo(hostName, record) : null);
    }

    /// <inheritdoc />
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
