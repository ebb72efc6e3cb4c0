using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tsim.Registry;

/// <summary>One entry of <c>hosts.json</c>, in the specification's field names.</summary>
/// <remarks>
/// Fields this version does not know (a Python caller's <c>additional_info</c>, which the specification merges
/// into the entry, or a newer version's fields) land in <see cref="Extra"/> and are written back unchanged.
/// </remarks>
internal sealed class HostRecord
{
    [JsonPropertyName("primary_ip")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PrimaryIp { get; set; }

    [JsonPropertyName("connected_to")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ConnectedTo { get; set; }

    [JsonPropertyName("mac_address")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MacAddress { get; set; }

    /// <summary>Python's <c>time.strftime('%c')</c>: local time, C locale, e.g. <c>Thu Nov 26 14:43:11 2026</c>.</summary>
    [JsonPropertyName("created_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CreatedAt { get; set; }

    /// <summary>Unix seconds, as Python's <c>time.time()</c>.</summary>
    [JsonPropertyName("registered_at_timestamp")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? RegisteredAtTimestamp { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The names of the fields above, which additional information must not overwrite.</summary>
    internal static readonly IReadOnlySet<string> ReservedFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "primary_ip", "connected_to", "mac_address", "created_at", "registered_at_timestamp",
    };
}
