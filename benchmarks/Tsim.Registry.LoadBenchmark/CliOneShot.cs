using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>
/// One-shot command-line calls, cold by nature: the wall time of one process that starts, does one operation and
/// exits, for the tool (<c>tsim-registry</c>) and for the Python reference's client (<c>python3 interop_client.py</c>).
/// The two sides take turns call by call, so that the machine's noise falls on both.
/// </summary>
/// <remarks>
/// Each side has a private registry directory under /dev/shm. The tool runs on its own semaphore prefix; the Python
/// client knows only the global prefix <c>tsim</c>, so its side runs only when no <c>/dev/shm/sem.tsim-*</c> exists,
/// and its semaphores are removed afterwards.
/// </remarks>
internal sealed class CliOneShot(string cliPath, string prefix, int runs, TextWriter output)
{
    private const string PythonPrefix = "tsim";
    private const string LeaseHost = "cli-lease-host";

    /// <summary>The commands measured: the name in the JSON, the arguments per run, and the expected first output token.</summary>
    private static readonly (string Name, Func<int, string[]> Args, Func<int, string> Expected)[] s_commands =
    [
        ("is_locked", _ => ["is-locked", "r1"], _ => "false"),
        ("register", i => Register(i + 1), _ => "REGISTERED"),
        ("lease_acquire", i => ["lease-acquire", Inv($"run-{i}"), LeaseHost, "router-0"], i => Inv($"{i + 1}")),
    ];

    /// <summary>The tool's default path: the Release build output of src/Tsim.Registry.Cli, found from this program's own.</summary>
    internal static string DefaultCliPath => Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Tsim.Registry.Cli", "bin", "Release", "net10.0", "tsim-registry"));

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string[] Register(int i)
    {
        var h = Bench.Host(i);
        return ["register", h.Name, h.Ip, h.Router, h.Mac];
    }

    /// <summary>Runs every command <c>runs</c> times on each side; returns the "cli_cold" object of the JSON.</summary>
    internal JsonObject Run()
    {
        var result = new JsonObject { ["runs"] = runs, ["cli"] = cliPath };
        var script = Path.Combine(AppContext.BaseDirectory, "PythonReference", "interop_client.py");
        if (!File.Exists(cliPath))
        {
            result["skipped"] = $"{cliPath} not found (build src/Tsim.Registry.Cli in Release, or pass --cli PATH)";
            return result;
        }

        var pythonSkipped = !File.Exists(script) ? $"{script} not found"
            : Directory.EnumerateFiles("/dev/shm", "sem.tsim-*").Any()
                ? "semaphores /dev/shm/sem.tsim-* exist (interop tests running?): the Python client would share them, so it was not run"
                : null;
        var csDir = Path.Combine("/dev/shm", prefix + "-cli");
        var pyDir = Path.Combine("/dev/shm", prefix + "-cli-py");
        var cs = new Side("csharp", cliPath, ["--registry-dir", csDir, "--prefix", prefix]);
        var py = pythonSkipped is null ? new Side("python", "python3", [script, "--registry-dir", pyDir]) : null;
        try
        {
            foreach (var side in py is null ? [cs] : new[] { cs, py })
            {
                Directory.CreateDirectory(side == cs ? csDir : pyDir);
                side.Call(["register", LeaseHost, "10.255.0.1/24", "router-0", "02:ff:00:00:00:01"], "REGISTERED"); // not timed
            }

            output.WriteLine($"[cli] {runs} runs of each command, C# ({cliPath}) and Python ({(py is null ? "skipped" : "python3 interop_client.py")}) taking turns ...");
            output.Flush();
            for (var i = 0; i < runs; i++)
            {
                foreach (var (name, args, expected) in s_commands)
                {
                    // Alternate which side goes first, so neither always runs right after the other's exit.
                    foreach (var side in py is null ? [cs] : i % 2 == 0 ? new[] { cs, py } : [py, cs])
                    {
                        side.Timed(name, args(i), expected(i));
                    }
                }
            }
        }
        finally
        {
            LoadBenchmarkRunner.UnlinkSemaphores(prefix);
            if (py is not null)
            {
                // None existed when the Python side started (checked above): every one there now is its own.
                foreach (var file in Directory.EnumerateFiles("/dev/shm", $"sem.{PythonPrefix}-*"))
                {
                    File.Delete(file);
                }
            }

            foreach (var dir in new[] { csDir, pyDir }.Where(Directory.Exists))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        foreach (var (name, _, _) in s_commands)
        {
            var c = cs.Median(name);
            var p = py?.Median(name);
            result[name] = new JsonObject
            {
                ["csharp_median_ms"] = Bench.Ms(c),
                ["csharp_min_ms"] = Bench.Ms(cs.Min(name)),
                ["python_median_ms"] = p is { } pm ? Bench.Ms(pm) : null,
                ["python_min_ms"] = py is null ? null : Bench.Ms(py.Min(name)),
                ["speedup"] = p is { } pv ? Bench.Round(pv / c, 2) : null,
            };
        }

        result["python_skipped"] = pythonSkipped;
        return result;
    }

    /// <summary>One side: its program, the arguments before the command, and the wall times of its calls.</summary>
    private sealed class Side(string name, string program, string[] leading)
    {
        private readonly Dictionary<string, List<double>> _times = new(StringComparer.Ordinal);

        internal double Median(string command) => Bench.Median(_times[command]);

        internal double Min(string command) => _times[command].Min();

        internal void Timed(string command, string[] args, string expected)
        {
            var t0 = Stopwatch.GetTimestamp();
            Call(args, expected);
            var elapsed = Bench.Since(t0);
            if (!_times.TryGetValue(command, out var list))
            {
                _times[command] = list = [];
            }

            list.Add(elapsed);
        }

        /// <summary>Runs the program once to its exit; fails unless it exits 0 and its output starts with <paramref name="expected"/>.</summary>
        internal void Call(string[] args, string expected)
        {
            var startInfo = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in leading.Concat(args))
            {
                startInfo.ArgumentList.Add(a);
            }

            Process process;
            try
            {
                process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{program} did not start");
            }
            catch (Win32Exception ex)
            {
                throw new InvalidOperationException($"{program} could not be started: {ex.Message}", ex);
            }

            using (process)
            {
                var stderr = process.StandardError.ReadToEndAsync();
                var stdout = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                var first = stdout.Split((char[])[' ', '\n'], 2)[0].Trim();
                if (process.ExitCode != 0 || !string.Equals(first, expected, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"[{name}] {program} {string.Join(' ', args)}: exit {process.ExitCode}, output '{stdout.Trim()}' "
                        + $"(expected '{expected}'); stderr: {stderr.GetAwaiter().GetResult().Trim()}");
                }
            }
        }
    }
}
