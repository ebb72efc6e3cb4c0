using System.Text.Json;
using Tsim.Registry.Storage;

namespace Tsim.Registry.Tests.Storage;

/// <summary>Lease records share their members through <see cref="LeaseRecord"/> and keep the specification's field order.</summary>
public sealed class LeaseRecordTests
{
    [Fact]
    public void Serialize_HostLease_WritesTheSpecificationOrderThenTheCSharpFields()
    {
        var json = JsonSerializer.Serialize(
            new HostLeaseRecord { RunId = "run-1", Pid = 42, JobType = "quick", Dscp = null, AllocatedAt = 1.5, PidStartTime = 7, PidNamespace = "pid:[1]" },
            RegistryJsonContext.Default.HostLeaseRecord);

        json.Should().Be("""{"run_id":"run-1","pid":42,"job_type":"quick","dscp":null,"allocated_at":1.5,"pid_start_time":7,"pid_namespace":"pid:[1]"}""");
    }

    [Fact]
    public void Serialize_NeighborLease_WritesTheSpecificationOrderAndKeepsUnknownFields()
    {
        var record = JsonSerializer.Deserialize("""{"run_id":"run-1","pid":42,"allocated_at":2,"future":{"x":1}}""", RegistryJsonContext.Default.NeighborLeaseRecord)!;

        JsonSerializer.Serialize(record, RegistryJsonContext.Default.NeighborLeaseRecord)
            .Should().Be("""{"run_id":"run-1","pid":42,"allocated_at":2,"future":{"x":1}}""");
    }
}
