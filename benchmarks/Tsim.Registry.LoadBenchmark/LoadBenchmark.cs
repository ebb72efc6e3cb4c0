using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>
/// The multi-process load benchmark: bench_py.py's workloads W1-W7 against this library (on a private semaphore
/// prefix and a private directory under /dev/shm), then <c>python3 bench_py.py</c> itself, then one table of both
/// with the speed-up per workload and the combined result as JSON.
/// </summary>
public static class LoadBenchmarkRunner
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    /// <summary>Runs the benchmark; returns the process exit status (0 = ran, 2 = failed).</summary>
    /// <param name="quick">Divide the iteration counts by 10, like <c>bench_py.py --quick</c>.</param>
    /// <param name="jsonPath">Where to write the combined result; <see langword="null"/> = a file in the temp directory.</param>
    /// <param name="workerVerb">The hidden verb with which this same program runs one worker (<see cref="RunWorker"/>).</param>
    /// <param name="command">How this run was started, recorded in the JSON.</param>
    /// <param name="output">Progress and the table.</param>
    public static int Run(bool quick, string? jsonPath, string workerVerb, string command, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var scale = quick ? 10 : 1;
        var prefix = string.Create(CultureInfo.InvariantCulture, $"lbench{Environment.ProcessId}");
        var root = Path.Combine("/dev/shm", prefix + "-registry");
        jsonPath ??= Path.Combine(Path.GetTempPath(), "tsim-registry-bench.json");
        var machine = Machine();
        output.WriteLine($"Tsim.Registry load benchmark: {machine["cpu"]}, {machine["cores"]} cores, kernel {machine["kernel"]}, "
            + $"{machine["dotnet"]}, library build {machine["library_build"]}{(quick ? ", --quick (counts / 10)" : string.Empty)}");
        output.WriteLine($"C# part: prefix '{prefix}', registry {root}");
        output.Flush();

        var csharp = new JsonObject();
        var started = Stopwatch.GetTimestamp();
        try
        {
            Directory.CreateDirectory(root);
            var w = new Workloads(root, prefix, scale, workerVerb);
            (string Name, Func<JsonObject> Fn)[] all =
            [
                ("W1", w.W1), ("W2", w.W2), ("W3", w.W3), ("W4", w.W4), ("W5", w.W5),
                ("W5b", () => w.W5b(Path.Combine(root, "w1"))), ("W6", w.W6), ("W7", w.W7),
            ];
            foreach (var (name, fn) in all)
            {
                var t0 = Stopwatch.GetTimestamp();
                output.WriteLine($"[C# {name}] running ...");
                output.Flush();
                var result = fn();
                result["workload_wall_s"] = Math.Round(Stopwatch.GetElapsedTime(t0).TotalSeconds, 2);
                csharp[name] = result;
                output.WriteLine($"[C# {name}] {result.ToJsonString()}");
                output.Flush();
                UnlinkSemaphores(prefix); // one workload's semaphores never leak into the next
            }
        }
        finally
        {
            UnlinkSemaphores(prefix);
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }

        var csharpWall = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 1);
        var (python, pythonSkipped) = PythonBaseline.Run(quick, output);
        var comparison = Report.Compare(csharp, python?["results"] as JsonObject);

        output.WriteLine();
        output.WriteLine(Report.Table(comparison, python is not null));
        output.WriteLine();
        output.WriteLine(Report.Details(csharp));
        if (pythonSkipped is not null)
        {
            output.WriteLine($"Python part skipped: {pythonSkipped}");
        }

        var doc = new JsonObject
        {
            ["command"] = command,
            ["machine"] = machine,
            ["scale_divisor"] = scale,
            ["started_unix"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["csharp"] = new JsonObject { ["semaphore_prefix"] = prefix, ["total_wall_s"] = csharpWall, ["results"] = csharp },
            ["python"] = python,
            ["python_skipped"] = pythonSkipped,
            ["comparison"] = comparison,
        };
        File.WriteAllText(jsonPath, doc.ToJsonString(s_indented));
        output.WriteLine($"wrote {jsonPath}");
        output.Flush();
        return 0;
    }

    /// <summary>Runs one worker process of the benchmark (started by <see cref="Run"/> with the hidden verb).</summary>
    /// <param name="arguments">The arguments after the verb.</param>
    /// <param name="input">Lines from the parent.</param>
    /// <param name="output">Lines to the parent.</param>
    public static int RunWorker(IReadOnlyList<string> arguments, TextReader input, TextWriter output) =>
        Workers.Run(arguments, input, output);

    private static void UnlinkSemaphores(string prefix)
    {
        foreach (var file in Directory.EnumerateFiles("/dev/shm", $"sem.{prefix}-*"))
        {
            File.Delete(file); // glibc's sem_unlink is exactly this unlink
        }
    }

    private static JsonObject Machine()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
            ?.Split(':', 2)[1].Trim() ?? string.Empty;
        var debuggable = typeof(RegistryManager).Assembly.GetCustomAttribute<DebuggableAttribute>();
        return new JsonObject
        {
            ["cores"] = Environment.ProcessorCount,
            ["cpu"] = cpu,
            ["kernel"] = File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            ["os"] = RuntimeInformation.OSDescription,
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["library_build"] = debuggable?.IsJITOptimizerDisabled == true ? "Debug (unoptimized: numbers are not meaningful)" : "Release",
            ["server_gc"] = System.Runtime.GCSettings.IsServerGC,
            ["registry_fs"] = "/dev/shm (tmpfs)",
            ["load_average_at_start"] = File.ReadAllText("/proc/loadavg").Trim(),
        };
    }
}
