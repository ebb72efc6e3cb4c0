using System.Text.Json.Serialization;

namespace Tsim.Registry.Locking;

/// <summary>
/// What a lock holder writes next to the lock right after acquiring it and deletes right before releasing it.
/// The field names are the on-disk contract (<c>tsim-registry owner</c> prints this object).
/// </summary>
internal sealed class OwnerRecord
{
    [JsonPropertyName("lock")]
    public string Lock { get; set; } = string.Empty;

    [JsonPropertyName("job_id")]
    public string JobId { get; set; } = string.Empty;

    [JsonPropertyName("pid")]
    public int Pid { get; set; }

    /// <summary>Field 22 of /proc/PID/stat: tells a live owner from a process that reused its pid.</summary>
    [JsonPropertyName("start_time")]
    public long StartTime { get; set; }

    /// <summary>"pid:[inode]" of the owner's pid namespace: a pid is only meaningful inside its namespace.</summary>
    [JsonPropertyName("pid_namespace")]
    public string PidNamespace { get; set; } = string.Empty;

    [JsonPropertyName("acquired_at")]
    public DateTimeOffset AcquiredAt { get; set; }

    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Extra { get; set; }
}
