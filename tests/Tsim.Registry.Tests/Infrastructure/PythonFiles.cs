
namespace Tsim.Registry.Tests.Infrastructure;

/// <summary>Registry files as the Python implementation writes them (indented, its own spellings, extra fields).</summary>
internal static class PythonFiles
{
    /// <summary>
    /// Two hosts registered by Python: upper-case MAC with '-', an IP with a prefix length, a long IPv6 spelling, and
    /// additional_info merged into the entry as the specification does.
    /// </summary>
    internal const string Hosts = """
        {
          "web-1": {
            "primary_ip": "10.0.0.10/24",
            "connected_to": "router-1",
            "mac_address": "AA-BB-CC-DD-EE-01",
            "created_at": "Thu Nov 26 14:43:11 2026",
            "registered_at_timestamp": 1795704191.5,
            "namespace": "ns1",
            "secondary_ips": ["10.1.0.1/24"]
          },
          "db-1": {
            "primary_ip": "2001:0DB8:0:0::5",
            "connected_to": "router-2",
            "mac_address": "aa:bb:cc:dd:ee:02",
            "created_at": "Thu Nov 26 14:43:12 2026",
            "registered_at_timestamp": 1795704192.25
          }
        }
        """;

    /// <summary>Host leases with fields this version does not know, on the entry and on a lease record.</summary>
    internal const string HostLeases = """
        {
          "web-1": {
            "router": "router-1",
            "leases": [
              {"run_id": "run-py", "pid": 4242, "job_type": "quick", "dscp": 46, "allocated_at": 1795704200.5, "trace_id": "abc", "extra": {"a": [1, 2]}}
            ],
            "owner_team": "net"
          }
        }
        """;

    /// <summary>Neighbour leases with unknown fields.</summary>
    internal const string NeighborLeases = """
        {
          "web-1:10.0.0.1": {
            "host_name": "web-1",
            "neighbor_ip": "10.0.0.1",
            "leases": [
              {"run_id": "run-py", "pid": 4242, "allocated_at": 1795704200.5, "iface": "eth0"}
            ],
            "mac": "aa:bb:cc:dd:ee:99"
          }
        }
        """;
}
