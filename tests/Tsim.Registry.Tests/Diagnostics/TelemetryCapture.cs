using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tsim.Registry.Tests.Diagnostics;

/// <summary>One recorded measurement of a <c>Tsim.Registry</c> instrument.</summary>
internal sealed record Measured(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public string? Tag(string key) => Tags.TryGetValue(key, out var value) ? value?.ToString() : null;
}

/// <summary>
/// Listens to the <c>Tsim.Registry</c> meter and activity source. Activities are kept only when they belong to the
/// trace of <see cref="Root"/>, which the capture starts, so other tests' operations never count; metrics carry no
/// such context, so the tests that use this run in the serial collection.
/// </summary>
internal sealed class TelemetryCapture : IDisposable
{
    private static readonly ActivitySource s_testSource = new("Tsim.Registry.Tests");

    private readonly MeterListener _meterListener = new();
    private readonly ActivityListener _activityListener;
    private readonly ConcurrentQueue<Measured> _measurements = new();
    private readonly ConcurrentQueue<Activity> _activities = new();

    public TelemetryCapture()
    {
        _meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Tsim.Registry")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meterListener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        _meterListener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        _meterListener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        _meterListener.Start();

        _activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Tsim.Registry" or "Tsim.Registry.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Root is { } root && activity.TraceId == root.TraceId && activity != root)
                {
                    _activities.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_activityListener);
        Root = s_testSource.StartActivity("test-root") ?? throw new InvalidOperationException("The test activity was not sampled.");
    }

    /// <summary>Gets the test's root activity; the library's activities started under it are its children.</summary>
    public Activity Root { get; }

    public IReadOnlyList<Measured> Measurements => [.. _measurements];

    public IReadOnlyList<Activity> Activities => [.. _activities];

    public IReadOnlyList<Measured> Of(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument)];

    /// <summary>Asks the observable gauges for their values now.</summary>
    public void CollectGauges() => _meterListener.RecordObservableInstruments();

    public void Dispose()
    {
        Root.Dispose();
        _activityListener.Dispose();
        _meterListener.Dispose();
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct, IConvertible
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue(new Measured(instrument.Name, value.ToDouble(null), copy));
    }
}
