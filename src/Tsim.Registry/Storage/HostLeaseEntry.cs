using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tsim.Registry.Storage;

/// <summary>The leases of one host in <c>host_leases.json</c>: <c>{"router": …, "leases": [...]}</c>.</summary>
internal sealed class HostLeaseEntry : ILeaseEntry<HostLeaseRecord>
{
    [JsonPropertyName("router")]
    public string? Router { get; set; }

    [JsonPropertyName("leases")]
    public List<HostLeaseRecord> Leases { get; set; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>One lease in <c>host_leases.json</c>.</summary>
internal sealed class HostLeaseRecord : ILeaseRecord
{
    [JsonPropertyName("run_id")]
    public string RunId { get; set; } = string.Empty;

    [JsonPropertyName("pid")]
    public int Pid { get; set; }

    [JsonPropertyName("job_type")]
    public string? JobType { get; set; }

    /// <summary>Written as <c>null</c> when absent, as Python does.</summary>
    [JsonPropertyName("dscp")]
    public int? Dscp { get; set; }

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
