using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tsim.Registry.Storage;

/// <summary>The leases of one neighbour entry in <c>neighbor_leases.json</c>, keyed <c>"HOST:IP"</c>.</summary>
internal sealed class NeighborLeaseEntry : ILeaseEntry<NeighborLeaseRecord>
{
    [JsonPropertyName("host_name")]
    public string? HostName { get; set; }

    [JsonPropertyName("neighbor_ip")]
    public string? NeighborIp { get; set; }

    [JsonPropertyName("leases")]
    public List<NeighborLeaseRecord> Leases { get; set; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    internal static string Key(string hostName, string neighborIp) => $"{hostName}:{neighborIp}";
}

/// <summary>One lease in <c>neighbor_leases.json</c>.</summary>
internal sealed class NeighborLeaseRecord : LeaseRecord;
