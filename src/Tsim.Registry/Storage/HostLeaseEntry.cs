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
internal sealed class HostLeaseRecord : LeaseRecord
{
    [JsonPropertyName("job_type")]
    [JsonPropertyOrder(2)]
    public string? JobType { get; set; }

    /// <summary>Written as <c>null</c> when absent, as Python does.</summary>
    [JsonPropertyName("dscp")]
    [JsonPropertyOrder(3)]
    public int? Dscp { get; set; }
}
