using System.Text.Json;

namespace Tsim.Registry;

/// <summary>A registered host, as stored in <c>hosts.json</c>.</summary>
/// <param name="Name">The unique host name.</param>
/// <param name="PrimaryIp">The primary IP address as registered, with its prefix length if one was given (e.g. <c>10.0.0.10/24</c>).</param>
/// <param name="ConnectedTo">The router the host is attached to.</param>
/// <param name="MacAddress">The MAC address.</param>
/// <param name="CreatedAt">The registration time as the Python implementation writes it (<c>time.strftime('%c')</c>, local time).</param>
/// <param name="RegisteredAt">The registration time, or <see langword="null"/> if the entry lacks it.</param>
/// <param name="AdditionalInfo">Every other field of the entry: the <c>additionalInfo</c> given at registration, or fields written by other versions.</param>
public sealed record HostInfo(
    string Name,
    string PrimaryIp,
    string ConnectedTo,
    string MacAddress,
    string CreatedAt,
    DateTimeOffset? RegisteredAt,
    IReadOnlyDictionary<string, JsonElement> AdditionalInfo);
