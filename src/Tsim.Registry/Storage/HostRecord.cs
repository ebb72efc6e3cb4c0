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
    private string? _ipKey;
    private string? _macKey;

    [JsonPropertyName("primary_ip")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PrimaryIp
    {
        get;
        set
        {
            field = value;
            _ipKey = null;
        }
    }

    [JsonPropertyName("connected_to")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ConnectedTo { get; set; }

    [JsonPropertyName("mac_address")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MacAddress
    {
        get;
        set
        {
            field = value;
            _macKey = null;
        }
    }

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

    /// <summary>
    /// The address part of <see cref="PrimaryIp"/> in canonical spelling, computed once per record: a registration
    /// compares it against every registered host, and parsing each address on every registration was most of its cost.
    /// </summary>
    [JsonIgnore]
    internal string IpKey => _ipKey ??= NetworkAddresses.AddressKey(PrimaryIp);

    /// <summary><see cref="MacAddress"/> in canonical spelling, computed once per record (see <see cref="IpKey"/>).</summary>
    [JsonIgnore]
    internal string MacKey => _macKey ??= NetworkAddresses.MacKey(MacAddress);

    /// <summary>The names of the fields above, which additional information must not overwrite.</summary>
    internal static readonly IReadOnlySet<string> ReservedFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "primary_ip", "connected_to", "mac_address", "created_at", "registered_at_timestamp",
    };
}
