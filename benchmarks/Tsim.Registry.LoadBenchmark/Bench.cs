using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>bench_py.py's helpers: the configuration, the host generator, percentiles, rounding and clocks.</summary>
internal static class Bench
{
    /// <summary>Builds a manager as bench_py's <c>make_mgr</c> does: the spec's timeouts, 3 retries, 0.1 s, no log.</summary>
    /// <param name="directory">The registry directory.</param>
    /// <param name="prefix">The semaphore prefix.</param>
    /// <param name="sharedWithPython">
    /// <see langword="false"/> for the C#-only variants (<c>shared_with_python: false</c>: no router lock files).
    /// </param>
    internal static (RegistryManager Manager, CountingLogger Log) MakeManager(string directory, string prefix, bool sharedWithPython = true)
    {
        var log = new CountingLogger();
        var options = new RegistryManagerOptions
        {
            Enabled = true,
            RegistryDirectory = directory,
            LockDirectory = Path.Combine(directory, "locks"),
            SemaphorePrefix = prefix,
            LockTimeouts = new RegistryLockTimeouts
            {
                HostRegistrySeconds = 5.0,
                HostLeasesSeconds = 3.0,
                RouterLockSeconds = 30.0,
                RouterLockAtomicSeconds = 60.0,
                NeighborLeasesSeconds = 3.0,
            },
            RetryAttempts = 3,
            RetryDelaySeconds = 0.1,
            EnableTransactionLog = false,
            SharedWithPython = sharedWithPython,
        };
        return (new RegistryManager(options, log), log);
    }

    /// <summary>bench_py's <c>host(i)</c>: name, IP/24, router, MAC.</summary>
    internal static (string Name, string Ip, string Router, string Mac) Host(int i) => (
        string.Create(CultureInfo.InvariantCulture, $"host-{i:D4}"),
        string.Create(CultureInfo.InvariantCulture, $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}/24"),
        string.Create(CultureInfo.InvariantCulture, $"router-{i % 10}"),
        string.Create(CultureInfo.InvariantCulture, $"02:00:00:00:{(i >> 8) & 255:x2}:{i & 255:x2}"));

    /// <summary>bench_py's <c>pct</c>: nearest rank with Python's round-half-even.</summary>
    internal static double Pct(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var k = Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Round(p / 100.0 * (sorted.Length - 1), MidpointRounding.ToEven)));
        return sorted[k];
    }

    internal static double Ms(double seconds) => Math.Round(seconds * 1000.0, 3);

    internal static double Us(double seconds) => Math.Round(seconds * 1e6, 1);

    internal static double Round(double value, int digits) => Math.Round(value, digits);

    /// <summary>CLOCK_MONOTONIC in seconds (Stopwatch on Linux), comparable across processes like <c>time.monotonic</c>.</summary>
    internal static double Now() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;

    /// <summary>Seconds since <paramref name="start"/> (a Stopwatch timestamp), like differences of <c>perf_counter</c>.</summary>
    internal static double Since(long start) => Stopwatch.GetElapsedTime(start).TotalSeconds;

    /// <summary>CPU time of the whole process, user + system, like <c>time.process_time</c>.</summary>
    internal static double ProcessCpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    internal static double Mean(IEnumerable<double> values) => values.Average();

    internal static double Median(IReadOnlyList<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2.0;
    }

    internal static JsonObject Counts(IReadOnlyDictionary<string, int> counts)
    {
        var o = new JsonObject();
        foreach (var (k, v) in counts)
        {
            o[k] = v;
        }

        return o;
    }

    internal static void AddCounts(Dictionary<string, int> into, JsonNode? counts)
    {
        if (counts is not JsonObject o)
        {
            return;
        }

        foreach (var (k, v) in o)
        {
            into[k] = into.GetValueOrDefault(k) + (v?.GetValue<int>() ?? 0);
        }
    }

    internal static string Fmt(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
