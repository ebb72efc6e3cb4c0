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
internal sealed class NeighborLeaseRecord : ILeaseRecord
{
    [JsonPropertyName("run_id")]
    public string RunId { get; set; } = string.Empty;

    [JsonPropertyName("pid")]
    public int Pid { get; set; }

    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("allocated_at")]
    public double AllocatedAt { get; set; }

    /// <summary>The start time of <see cref="Pid"/> (C# writers only): tells a dead run from one whose pid was reused.</summary>
    [JsonPropertyName("pid_start_time")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? PidStartTime { get; set; }

    /// <summary>The pid namespace of <see cref="Pid"/> (C# writers only): a pid of another namespace is never judged here.</summary>
    [JsonPropertyName("pid_namespace")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PidNamespace { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
