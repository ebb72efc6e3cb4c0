using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Diagnostics;

/// <summary>
/// The library's <see cref="Meter"/> and <see cref="ActivitySource"/>, both named <c>Tsim.Registry</c>. Instrument
/// names follow the OpenTelemetry conventions (dotted, durations in seconds).
/// </summary>
internal static class RegistryTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    internal const string Name = "Tsim.Registry";

    private static readonly string? s_version = typeof(RegistryTelemetry).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>Host and lease counts last seen per registry directory, reported by the gauges.</summary>
    private static readonly ConcurrentDictionary<string, RegistryCounts> s_counts = new(StringComparer.Ordinal);

    internal static readonly ActivitySource ActivitySource = new(Name, s_version);

    internal static readonly Meter Meter = new(Name, s_version);

    /// <summary>Lock acquisitions by kind (router, registry) and outcome (acquired, timeout).</summary>
    internal static readonly Counter<long> LockAcquisitions = Meter.CreateCounter<long>(
        "tsim.registry.lock.acquisitions", "{acquisition}", "Lock acquisition attempts, by lock kind and outcome.");

    /// <summary>Locks recovered from a dead owner.</summary>
    internal static readonly Counter<long> LockRecoveries = Meter.CreateCounter<long>(
        "tsim.registry.lock.recoveries", "{recovery}", "Locks recovered because their recorded owner had died.");

    internal static readonly Histogram<double> LockWaitTime = Meter.CreateHistogram<double>(
        "tsim.registry.lock.wait_time", "s", "Time spent waiting for a lock, acquired or not.");

    internal static readonly Histogram<double> LockHoldTime = Meter.CreateHistogram<double>(
        "tsim.registry.lock.hold_time", "s", "Time a lock was held, from acquisition to release.");

    internal static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "tsim.registry.operation.duration", "s", "Duration of each public registry operation, by operation and outcome.");

    static RegistryTelemetry()
    {
        Meter.CreateObservableGauge(
            "tsim.registry.hosts",
            () => s_counts.Select(static p => new Measurement<int>(p.Value.Hosts, new KeyValuePair<string, object?>("tsim.registry.dir", p.Key))),
            "{host}",
            "Registered hosts, as last read or written by this process.");
        Meter.CreateObservableGauge(
            "tsim.registry.host_leases",
            () => s_counts.Select(static p => new Measurement<int>(p.Value.HostLeases, new KeyValuePair<string, object?>("tsim.registry.dir", p.Key))),
            "{lease}",
            "Host leases, as last read or written by this process.");
    }

    internal static void RecordHosts(string registryDirectory, int hosts) =>
        s_counts.AddOrUpdate(registryDirectory, static (_, h) => new RegistryCounts(h, 0), static (_, c, h) => c with { Hosts = h }, hosts);

    internal static void RecordHostLeases(string registryDirectory, int leases) =>
        s_counts.AddOrUpdate(registryDirectory, static (_, l) => new RegistryCounts(0, l), static (_, c, l) => c with { HostLeases = l }, leases);

    internal static void RecordLockAttempt(LockName name, bool acquired, TimeSpan waited)
    {
        var kind = new KeyValuePair<string, object?>("tsim.registry.lock.kind", name.IsRouter ? "router" : "registry");
        var outcome = new KeyValuePair<string, object?>("tsim.registry.lock.outcome", acquired ? "acquired" : "timeout");
        LockAcquisitions.Add(1, kind, outcome);
        LockWaitTime.Record(waited.TotalSeconds, kind, outcome);
    }

    internal static void RecordLockHeld(LockName name, TimeSpan held) =>
        LockHoldTime.Record(held.TotalSeconds, new KeyValuePair<string, object?>("tsim.registry.lock.kind", name.IsRouter ? "router" : "registry"));

    internal static void RecordRecovery(LockName name) =>
        LockRecoveries.Add(1, new KeyValuePair<string, object?>("tsim.registry.lock.kind", name.IsRouter ? "router" : "registry"));

    /// <summary>Starts the activity and duration measurement of one public operation.</summary>
    internal static Operation StartOperation(string operation) => new(operation);

    private sealed record RegistryCounts(int Hosts, int HostLeases);

    /// <summary>
    /// One public operation in flight: an <see cref="Activity"/> (when someone listens) and a duration. Call
    /// <see cref="Complete{T}"/> on success; disposing an operation that was not completed records it as failed.
    /// </summary>
    internal sealed class Operation : IDisposable
    {
        private readonly string _name;
        private readonly long _start;
        private bool _succeeded;

        internal Operation(string name)
        {
            _name = name;
            _start = Stopwatch.GetTimestamp();
            Activity = ActivitySource.StartActivity("Tsim.Registry." + name, ActivityKind.Internal);
            Activity?.SetTag("tsim.registry.operation", name);
        }

        internal Activity? Activity { get; }

        /// <summary>Adds a tag to the activity, if any.</summary>
        internal void Tag(string key, object? value) => Activity?.SetTag(key, value);

        /// <summary>Marks the operation successful and passes its result through.</summary>
        internal T Complete<T>(T result)
        {
            _succeeded = true;
            Activity?.SetTag("tsim.registry.result", result);
            return result;
        }

        public void Dispose()
        {
            var outcome = _succeeded ? "ok" : "error";
            OperationDuration.Record(
                Stopwatch.GetElapsedTime(_start).TotalSeconds,
                new KeyValuePair<string, object?>("tsim.registry.operation", _name),
                new KeyValuePair<string, object?>("tsim.registry.outcome", outcome));
            if (Activity is { } activity)
            {
                activity.SetStatus(_succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
                activity.Dispose();
            }
        }
    }
}
