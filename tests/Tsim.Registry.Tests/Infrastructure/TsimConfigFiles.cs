namespace Tsim.Registry.Tests.Infrastructure;

/// <summary>Configuration documents as a tsim host holds them (<c>config.json</c>).</summary>
internal static class TsimConfigFiles
{
    /// <summary>
    /// A tsim host's <c>config.json</c>, exactly as tsim writes it, but with <paramref name="dataDirectory"/> in place of
    /// <c>/dev/shm/tsim</c> (in <c>data_dir</c>, <c>lock_dir</c> and every <c>registry_files</c> entry). It names no
    /// semaphore prefix: layer one on top (<see cref="PrefixOverlay"/>) to keep a test off tsim's semaphores.
    /// </summary>
    internal static string Document(string dataDirectory) => $$$"""
        {"data_dir": "{{{dataDirectory}}}", "lock_dir": "{{{dataDirectory}}}/locks", "registry_files": {"hosts": "{{{dataDirectory}}}/host_registry.json", "host_leases": "{{{dataDirectory}}}/host_leases.json", "neighbor_leases": "{{{dataDirectory}}}/neighbor_leases.json", "routers": "{{{dataDirectory}}}/router_registry.json", "interfaces": "{{{dataDirectory}}}/interface_registry.json", "bridges": "{{{dataDirectory}}}/bridge_registry.json", "services": "{{{dataDirectory}}}/services_registry.json"}, "registry_manager": {"lock_timeouts": {"host_registry": 5.0, "host_leases": 3.0, "router_lock": 30.0, "router_lock_atomic": 60.0, "neighbor_leases": 3.0}, "retry_attempts": 3, "retry_delay": 0.1, "enable_transaction_log": false, "transaction_log_path": null}}
        """;

    /// <summary>The semaphore prefix of a test, as a configuration layer over a document (as an environment variable would be).</summary>
    internal static KeyValuePair<string, string?>[] PrefixOverlay(string prefix) => [new("registry_manager:semaphore_prefix", prefix)];
}
