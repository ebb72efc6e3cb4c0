using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tsim.Registry.Storage;

/// <summary>One entry of <c>hosts.json</c>, in the specification's field names.</summary>
/// <remarks>
/// Fields this version does not know (a Python caller's <c>additional_info</c>, which the specification merges
/// into the entry, or a newer version's fields) land in <see cref="Extra"/> and are written back unchanged.
/// </remarks>
internal sealed class HostRecord
{
    private string? _ipKey;
    private string? _macKey;
    private string? _memberName;
    private ReadOnlyMemory<byte> _member;

    [JsonPropertyName("primary_ip")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PrimaryIp
    {
        get;
        set
        {
            field = value;
            _ipKey = null;
            _memberName = null;
        }
    }

    [JsonPropertyName("connected_to")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ConnectedTo
    {
        get;
        set
        {
            field = value;
            _memberName = null;
        }
    }

    [JsonPropertyName("mac_address")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MacAddress
    {
        get;
        set
        {
            field = value;
            _macKey = null;
            _memberName = null;
        }
    }

    /// <summary>Python's <c>time.strftime('%c')</c>: local time, C locale, e.g. <c>Thu Nov 26 14:43:11 2026</c>.</summary>
    [JsonPropertyName("created_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CreatedAt
    {
        get;
        set
        {
            field = value;
            _memberName = null;
        }
    }

    /// <summary>Unix seconds, as Python's <c>time.time()</c>.</summary>
    [JsonPropertyName("registered_at_timestamp")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? RegisteredAtTimestamp
    {
        get;
        set
        {
            field = value;
            _memberName = null;
        }
    }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra
    {
        get;
        set
        {
            field = value;
            _memberName = null;
        }
    }

    /// <summary>
    /// The address part of <see cref="PrimaryIp"/> in canonical spelling, computed once per record: a registration
    /// compares it against every registered host, and parsing each address on every registration was most of its cost.
    /// </summary>
    [JsonIgnore]
    internal string IpKey => _ipKey ??= NetworkAddresses.AddressKey(PrimaryIp);

    /// <summary><see cref="MacAddress"/> in canonical spelling, computed once per record (see <see cref="IpKey"/>).</summary>
    [JsonIgnore]
    internal string MacKey => _macKey ??= NetworkAddresses.MacKey(MacAddress);

    /// <summary>
    /// Gets <c>"NAME":{…}</c>, this entry as a member of <c>hosts.json</c> under <paramref name="name"/>, in the
    /// compact form the serialiser writes. Formatted once per record and name (or taken as it was read, see
    /// <see cref="AdoptMember"/>): writing <c>hosts.json</c> then copies these bytes for every host instead of
    /// formatting each one again. Every setter drops them; <see cref="Extra"/> is never changed in place.
    /// </summary>
    internal ReadOnlySpan<byte> MemberJson(string name, JavaScriptEncoder? encoder)
    {
        if (!string.Equals(_memberName, name, StringComparison.Ordinal))
        {
            // The writer escapes property names with the options' encoder, or the default one when it has none.
            var encodedName = JsonEncodedText.Encode(name, encoder).EncodedUtf8Bytes;
            var json = JsonSerializer.SerializeToUtf8Bytes(this, RegistryJsonContext.Default.HostRecord);
            var member = new byte[encodedName.Length + json.Length + 3];
            member[0] = (byte)'"';
            encodedName.CopyTo(member.AsSpan(1));
            member[encodedName.Length + 1] = (byte)'"';
            member[encodedName.Length + 2] = (byte)':';
            json.CopyTo(member.AsSpan(encodedName.Length + 3));
            (_memberName, _member) = (name, member);
        }

        return _member.Span;
    }

    /// <summary>
    /// Takes <paramref name="member"/>, the bytes this entry was just parsed from (<c>"NAME":{…}</c>), as its
    /// <see cref="MemberJson"/>. The caller vouches that they are compact JSON of exactly this entry.
    /// </summary>
    internal void AdoptMember(string name, ReadOnlyMemory<byte> member) => (_memberName, _member) = (name, member);

    /// <summary>The names of the fields above, which additional information must not overwrite.</summary>
    internal static readonly IReadOnlySet<string> ReservedFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "primary_ip", "connected_to", "mac_address", "created_at", "registered_at_timestamp",
    };
}
