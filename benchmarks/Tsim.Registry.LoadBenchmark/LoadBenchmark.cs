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
internal static class LoadBenchmarkRunner
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    /// <summary>Runs the benchmark; returns the process exit status (0 = ran, 2 = failed).</summary>
    /// <param name="quick">Divide the iteration counts by 10, like <c>bench_py.py --quick</c>.</param>
    /// <param name="jsonPath">Where to write the combined result; <see langword="null"/> = a file in the temp directory.</param>
    /// <param name="workerVerb">The hidden verb with which this same program runs one worker (<see cref="RunWorker"/>).</param>
    /// <param name="command">How this run was started, recorded in the JSON.</param>
    /// <param name="cliPath">The tool whose one-shot calls are timed against the Python client's (<see cref="CliOneShot"/>).</param>
    /// <param name="output">Progress and the table.</param>
    /// <param name="only">
    /// The workloads to run (W1, W2cold, W3c, …, CLI for the one-shot calls), case-insensitive; empty = all. Python
    /// runs the workloads they are compared with (W2 for W2cold, W3 for W3c).
    /// </param>
    internal static int Run(bool quick, string? jsonPath, string workerVerb, string command, string cliPath, IReadOnlyCollection<string> only,
        TextWriter output)
    {
        bool Selected(string name) => only.Count == 0 || only.Contains(name, StringComparer.OrdinalIgnoreCase);
        ArgumentNullException.ThrowIfNull(output);
        var scale = quick ? 10 : 1;
        var prefix = string.Create(CultureInfo.InvariantCulture, $"lbench{Environment.ProcessId}");
        var root = Path.Combine("/dev/shm", prefix + "-registry");
        jsonPath ??= Path.Combine(Path.GetTempPath(), "tsim-registry-bench.json");
        var machine = Machine();
        output.WriteLine($"Tsim.Registry load benchmark: {machine["cpu"]}, {machine["cores"]} cores, kernel {machine["kernel"]}, "
            + $"{machine["dotnet"]}, library build {machine["library_build"]}, {machine["library_image"]}{(quick ? ", --quick (counts / 10)" : string.Empty)}");
        output.WriteLine($"C# part: prefix '{prefix}', registry {root}");
        output.Flush();

        var csharp = new JsonObject();
        var started = Stopwatch.GetTimestamp();
        try
        {
            Directory.CreateDirectory(root);
            var w = new Workloads(root, prefix, scale, workerVerb);
            // W3c, W4c and W6c: the same workloads on a registry declared not shared with Python (shared_with_python:
            // false), whose router locks keep their owner records in a mapped slot instead of the compatibility lock file.
            // W2cold: W2 in fresh worker processes that have not run the warm-up.
            (string Name, Func<JsonObject> Fn)[] all =
            [
                ("W1", w.W1), ("W2", w.W2), ("W2cold", w.W2Cold), ("W3", () => w.W3()), ("W3c", () => w.W3(sharedWithPython: false)),
                ("W4", () => w.W4()), ("W4c", () => w.W4(sharedWithPython: false)), ("W4e", () => w.W4(emptyCriticalSection: true)), ("W5", w.W5),
                ("W5b", () => w.W5b(Path.Combine(root, "w1"))), ("W6", () => w.W6()), ("W6c", () => w.W6(sharedWithPython: false)), ("W7", w.W7),
            ];
            var selected = all.Where(x => Selected(x.Name)).ToList();
            if (selected.Any(x => x.Name != "W2cold"))
            {
                output.WriteLine("[C#] JIT warm-up of every timed path on a private registry (each warm worker process does the same before GO) ...");
                output.Flush();
                JitWarmup.Run(prefix);
            }

            foreach (var (name, fn) in selected)
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
        // Python has one mode of each workload: a variant (W3c, W2cold) is compared with the workload it varies.
        var pythonOnly = only.Count == 0 ? [] : only.Where(n => !n.Equals("CLI", StringComparison.OrdinalIgnoreCase))
            .Select(n => n.ToUpperInvariant().Replace("COLD", string.Empty, StringComparison.Ordinal).TrimEnd('C')).Distinct(StringComparer.Ordinal).ToList();
        pythonOnly.Remove("W4E"); // Not bench_py's: python/bench_w4e.py runs it below.
        var (python, pythonSkipped) = only.Count > 0 && pythonOnly.Count == 0 ? (null, "--only selected no workload of bench_py.py") : PythonBaseline.Run(quick, pythonOnly, output);
        if (Selected("W4e") && PythonBaseline.RunScript("bench_w4e.py", quick ? ["--quick"] : [], "[Python] ", output) is ({ } w4e, _)
            && w4e["results"]?["W4e"] is JsonObject pythonW4e)
        {
            python ??= new JsonObject { ["results"] = new JsonObject() };
            ((JsonObject)python["results"]!)["W4e"] = pythonW4e.DeepClone();
        }
        var cli = Selected("CLI") ? new CliOneShot(cliPath, prefix + "cli", quick ? 5 : 21, output).Run() : null;
        var comparison = Report.Compare(csharp, python?["results"] as JsonObject, cli);

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
            ["cli_cold"] = cli,
            ["comparison"] = comparison,
        };
        File.WriteAllText(jsonPath, doc.ToJsonString(s_indented));
        output.WriteLine($"wrote {jsonPath}");
        output.Flush();
        return 0;
    }

    /// <summary>
    /// Runs only the scaling table (<see cref="Scaling"/>): the cost of a registration, a refused registration, a
    /// lease cycle and an unregistration at 100, 1,000, 10,000 and 50,000 hosts, for this library (private prefix and
    /// directory under /dev/shm) and for the Python reference (<c>python3 bench_scale.py</c>, size by size).
    /// </summary>
    /// <param name="quick">Fewer operations per size and no 50,000-host size (a smoke test).</param>
    /// <param name="jsonPath">Where to write the result (under "scaling"); <see langword="null"/> = a file in the temp directory.</param>
    /// <param name="command">How this run was started, recorded in the JSON.</param>
    /// <param name="output">Progress and the tables.</param>
    /// <returns>The process exit status: 0 = ran and every check passed, 1 = a check failed (the tables are still printed).</returns>
    internal static int RunScaling(bool quick, string? jsonPath, string command, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var prefix = string.Create(CultureInfo.InvariantCulture, $"lbench{Environment.ProcessId}");
        var root = Path.Combine("/dev/shm", prefix + "-scale");
        jsonPath ??= Path.Combine(Path.GetTempPath(), "tsim-registry-bench-scaling.json");
        var machine = Machine();
        output.WriteLine($"Tsim.Registry scaling benchmark: {machine["cpu"]}, {machine["cores"]} cores, kernel {machine["kernel"]}, "
            + $"{machine["dotnet"]}, library build {machine["library_build"]}{(quick ? ", --quick (fewer ops, no 50,000)" : string.Empty)}");
        output.WriteLine($"load average at start: {machine["load_average_at_start"]}");
        output.WriteLine($"C# part: prefix '{prefix}', registries under {root}; Python part: /dev/shm/tsim-peer-scale, global /tsim-* semaphores");
        output.Flush();

        var startedUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var started = Stopwatch.GetTimestamp();
        JsonObject scaling;
        try
        {
            Directory.CreateDirectory(root);
            scaling = new Scaling(root, prefix, quick, output).Run();
        }
        finally
        {
            UnlinkSemaphores(prefix);
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }

        scaling["total_wall_s"] = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 1);
        scaling["load_average_at_end"] = File.ReadAllText("/proc/loadavg").Trim();

        // What either side might have left behind: its directories and its semaphores.
        var leftovers = Directory.EnumerateFileSystemEntries("/dev/shm")
            .Select(Path.GetFileName)
            .Where(f => f!.StartsWith("sem.tsim-", StringComparison.Ordinal) || f.StartsWith("sem." + prefix + "-", StringComparison.Ordinal)
                || f == prefix + "-scale" || f == "tsim-peer-scale")
            .ToArray();
        scaling["left_in_dev_shm"] = new JsonArray(leftovers.Select(f => (JsonNode)JsonValue.Create(f!)).ToArray());
        var failed = ScalingReport.Failures(scaling).Concat(leftovers.Select(f => "left in /dev/shm: " + f)).ToList();
        scaling["failed_checks"] = new JsonArray(failed.Select(f => (JsonNode)JsonValue.Create(f)).ToArray());

        output.WriteLine();
        output.WriteLine("Per-operation cost, median (p90); ratio = Python median ÷ C# median. C# after a JIT warm-up; "
            + $"{Scaling.WarmupOps} unrecorded warm-up ops per kind and size on both sides.");
        output.WriteLine();
        output.WriteLine(ScalingReport.Table(scaling));
        output.WriteLine();
        output.WriteLine(failed.Count == 0
            ? "checks: every result as expected on both sides; each registry ended with exactly its seeded hosts, no duplicate IP or MAC, "
                + "no lease; nothing left in /dev/shm"
            : "checks FAILED:" + Environment.NewLine + string.Join(Environment.NewLine, failed.Select(f => "  " + f)));
        output.WriteLine($"load average at end: {scaling["load_average_at_end"]}; {scaling["total_wall_s"]} s in all");

        var doc = new JsonObject
        {
            ["command"] = command,
            ["machine"] = machine,
            ["started_unix"] = startedUnix,
            ["scaling"] = scaling,
        };
        File.WriteAllText(jsonPath, doc.ToJsonString(s_indented));
        output.WriteLine($"wrote {jsonPath}");
        output.Flush();
        return failed.Count == 0 ? 0 : 1;
    }

    /// <summary>Runs one worker process of the benchmark (started by <see cref="Run"/> with the hidden verb).</summary>
    /// <param name="arguments">The arguments after the verb.</param>
    /// <param name="input">Lines from the parent.</param>
    /// <param name="output">Lines to the parent.</param>
    /// <remarks>W2cold's worker is dispatched here, before any method that names a library type is compiled.</remarks>
    internal static int RunWorker(IReadOnlyList<string> arguments, TextReader input, TextWriter output) =>
        string.Equals(arguments[0], ColdWorker.Kind, StringComparison.Ordinal)
            ? ColdWorker.Run(arguments, input, output)
            : Workers.Run(arguments, input, output);

    internal static void UnlinkSemaphores(string prefix)
    {
        foreach (var file in Directory.EnumerateFiles("/dev/shm", $"sem.{prefix}-*"))
        {
            File.Delete(file); // glibc's sem_unlink is exactly this unlink
        }
    }

    /// <summary>
    /// Whether the loaded Tsim.Registry.dll carries ReadyToRun code (as the package ships it) or IL only, or whether
    /// this program was published as native AOT (no assembly file at all: a consumer that compiles everything ahead of time).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty location is the answer: native AOT.")]
    private static string LibraryImage()
    {
        var location = typeof(RegistryManager).Assembly.Location;
        if (location.Length == 0)
        {
            return "native AOT (no JIT)";
        }

        using var stream = File.OpenRead(location);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        return pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0 ? "ReadyToRun (linux-x64)" : "IL only (JIT)";
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
            ["library_image"] = LibraryImage(),
            ["server_gc"] = System.Runtime.GCSettings.IsServerGC,
            ["registry_fs"] = "/dev/shm (tmpfs)",
            ["load_average_at_start"] = File.ReadAllText("/proc/loadavg").Trim(),
        };
    }
}
