using System.Globalization;
using System.Text.Json;

namespace Tsim.Registry.Configuration;

/// <summary>
/// Writes options as the specification's configuration document, <c>{"registry_manager": {...}}</c> with every
/// setting under its snake_case key, so that another process (the <c>tsim-registry</c> command's <c>--config</c>,
/// <see cref="RegistryManagerOptions.FromJsonFile"/>) reads back the same options.
/// </summary>
internal static class RegistryConfigurationWriter
{
    internal static void Write(Stream stream, RegistryManagerOptions options)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteStartObject(RegistryConfiguration.SectionKey);
        writer.WriteBoolean("enabled", options.Enabled);
        writer.WriteString(RegistryConfiguration.RegistryDirectoryKey, options.RegistryDirectory);
        WriteIfSet(writer, RegistryConfiguration.LockDirectoryKey, options.LockDirectory);

        writer.WriteStartObject(RegistryConfiguration.RegistryFilesKey);
        writer.WriteString("hosts", options.RegistryFiles.Hosts);
        writer.WriteString("host_leases", options.RegistryFiles.HostLeases);
        writer.WriteString("neighbor_leases", options.RegistryFiles.NeighborLeases);
        writer.WriteEndObject();

        writer.WriteString(RegistryConfiguration.IpCollisionScopeKey, options.IpCollisionScope == IpCollisionScope.Router ? "router" : "global");

        var timeouts = options.LockTimeouts;
        writer.WriteStartObject("lock_timeouts");
        WriteSeconds(writer, "host_registry", timeouts.HostRegistrySeconds);
        WriteSeconds(writer, "host_leases", timeouts.HostLeasesSeconds);
        WriteSeconds(writer, "router_lock", timeouts.RouterLockSeconds);
        WriteSeconds(writer, "router_lock_atomic", timeouts.RouterLockAtomicSeconds);
        WriteSeconds(writer, "neighbor_leases", timeouts.NeighborLeasesSeconds);
        writer.WriteEndObject();

        writer.WriteNumber("retry_attempts", options.RetryAttempts);
        WriteSeconds(writer, "retry_delay", options.RetryDelaySeconds);
        writer.WriteBoolean("enable_transaction_log", options.EnableTransactionLog);
        WriteIfSet(writer, "transaction_log_path", options.TransactionLogPath);
        writer.WriteString("semaphore_prefix", options.SemaphorePrefix);
        WriteSeconds(writer, "lock_probe_interval", options.LockProbeIntervalSeconds);
        WriteIfSet(writer, "group", options.Group);
        writer.WriteBoolean("shared_with_python", options.SharedWithPython);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>A missing key reads back as the default (null), which a JSON null may not.</summary>
    private static void WriteIfSet(Utf8JsonWriter writer, string key, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(key, value);
        }
    }

    /// <summary>JSON has no infinity; the configuration binder parses the invariant string of one.</summary>
    private static void WriteSeconds(Utf8JsonWriter writer, string key, double seconds)
    {
        if (double.IsFinite(seconds))
        {
            writer.WriteNumber(key, seconds);
        }
        else
        {
            writer.WriteString(key, seconds.ToString("R", CultureInfo.InvariantCulture));
        }
    }
}
