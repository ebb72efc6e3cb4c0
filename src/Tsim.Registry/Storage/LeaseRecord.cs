using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tsim.Registry.Storage;

/// <summary>
/// What a host lease and a neighbour lease record share: who took the lease, and how to tell whether it still runs.
/// The members carry explicit orders so that each record is written in the specification's field order
/// (<c>run_id</c>, <c>pid</c>, then the kind's own fields, then <c>allocated_at</c>), whatever order the serialiser
/// gives to a base class's members.
/// </summary>
internal abstract class LeaseRecord : ILeaseRecord
{
    /// <summary>The order of <see cref="AllocatedAt"/>; a kind's own fields come before it.</summary>
    internal const int AllocatedAtOrder = 10;

    [JsonPropertyName("run_id")]
    [JsonPropertyOrder(0)]
    public string RunId { get; set; } = string.Empty;

    [JsonPropertyName("pid")]
    [JsonPropertyOrder(1)]
    public int Pid { get; set; }

    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("allocated_at")]
    [JsonPropertyOrder(AllocatedAtOrder)]
    public double AllocatedAt { get; set; }

    /// <summary>The start time of <see cref="Pid"/> (C# writers only): tells a dead run from one whose pid was reused.</summary>
    [JsonPropertyName("pid_start_time")]
    [JsonPropertyOrder(AllocatedAtOrder + 1)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? PidStartTime { get; set; }

    /// <summary>The pid namespace of <see cref="Pid"/> (C# writers only): a pid of another namespace is never judged here.</summary>
    [JsonPropertyName("pid_namespace")]
    [JsonPropertyOrder(AllocatedAtOrder + 2)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PidNamespace { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
