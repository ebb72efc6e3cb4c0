using System.Text.Json.Serialization;

namespace Tsim.Registry.Locking;

/// <summary>
/// What a lock holder writes next to the lock right after acquiring it and deletes right before releasing it.
/// The field names are the on-disk contract (<c>tsim-registry owner</c> prints this object).
/// </summary>
internal sealed class OwnerRecord
{
    /// <summary>Gets or sets the lock's name (<see cref="LockName.Value"/>).</summary>
    [JsonPropertyName("lock")]
    public string Lock { get; set; } = string.Empty;

    /// <summary>Gets or sets the job that holds the lock.</summary>
    [JsonPropertyName("job_id")]
    public string JobId { get; set; } = string.Empty;

    /// <summary>Gets or sets the holder's process id.</summary>
    [JsonPropertyName("pid")]
    public int Pid { get; set; }

    /// <summary>Gets or sets field 22 of /proc/PID/stat: it tells a live owner from a process that reused its pid.</summary>
    [JsonPropertyName("start_time")]
    public long StartTime { get; set; }

    /// <summary>Gets or sets "pid:[inode]" of the owner's pid namespace: a pid is only meaningful inside its namespace.</summary>
    [JsonPropertyName("pid_namespace")]
    public string PidNamespace { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the semaphore instance the hold is of (<see cref="NamedSemaphore.Instance"/>), or
    /// <see langword="null"/> in a record of an older version. A recovery posts only the instance the record names: a
    /// record that outlived its semaphore (removed by hand, then created anew and held by someone else) proves nothing
    /// about the new one.
    /// </summary>
    [JsonPropertyName("semaphore")]
    public string? Semaphore { get; set; }

    /// <summary>Gets or sets when the lock was acquired (the last property: <see cref="OwnerRecords"/> formats the rest once per hold).</summary>
    [JsonPropertyName("acquired_at")]
    public DateTimeOffset AcquiredAt { get; set; }

    /// <summary>Gets or sets the fields of a record written by someone else that this type does not know, kept as they were.</summary>
    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Extra { get; set; }

    /// <summary>
    /// Tells whether two records describe the same hold: the same process (pid, start time, pid namespace), the same
    /// job and the same acquisition time. A dead owner's record may only be recovered if, re-read under the recovery
    /// guard, it is still the same hold that was judged dead; a later hold by the same process differs in its time.
    /// </summary>
    internal bool IsSameHoldAs(OwnerRecord other) =>
        Pid == other.Pid && StartTime == other.StartTime && AcquiredAt == other.AcquiredAt &&
        string.Equals(JobId, other.JobId, StringComparison.Ordinal) &&
        string.Equals(Semaphore, other.Semaphore, StringComparison.Ordinal) &&
        string.Equals(PidNamespace, other.PidNamespace, StringComparison.Ordinal);
}
