using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>
/// Runs <c>python3 bench_py.py --out &lt;tmp.json&gt;</c> (or the scaling driver <c>bench_scale.py</c>) from the copy
/// next to this assembly and reads its JSON. Both use the spec's global semaphore names and unlink every
/// <c>/dev/shm/sem.tsim-*</c>, so they run only when no such semaphore exists (an interoperability test run uses
/// them): it waits up to a minute, then skips.
/// </summary>
internal static class PythonBaseline
{
    private static readonly TimeSpan s_waitForOthers = TimeSpan.FromSeconds(60);

    /// <summary>Runs <c>python3 bench_py.py</c>: every workload, or those of <paramref name="only"/> (bench_py's <c>--only</c>).</summary>
    internal static (JsonObject? Doc, string? Skipped) Run(bool quick, IReadOnlyCollection<string> only, TextWriter output) =>
        RunScript("bench_py.py", [.. quick ? ["--quick"] : Array.Empty<string>(), .. only.Count > 0 ? ["--only", string.Join(',', only)] : Array.Empty<string>()],
            "[Python] ", output);

    /// <summary>A progress line of bench_py that carries a workload's result, <c>[W2] {…}</c>, as (name, result).</summary>
    private static (string Name, JsonObject Result)? ProgressResult(string line)
    {
        var close = line.IndexOf("] {", StringComparison.Ordinal);
        if (!line.StartsWith('[') || close < 2 || !line.EndsWith('}'))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(line[(close + 2)..]) is JsonObject o ? (line[1..close], o) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Runs <c>python3 PythonReference/<paramref name="scriptName"/> --out &lt;tmp.json&gt; args…</c>.</summary>
    /// <param name="scriptName">A script in the PythonReference folder next to this assembly.</param>
    /// <param name="arguments">Arguments after <c>--out FILE</c>.</param>
    /// <param name="tag">Prefix of the script's progress lines (those starting with '[') forwarded to <paramref name="output"/>.</param>
    /// <param name="output">Progress.</param>
    /// <returns>The JSON the script wrote, or why it did not run.</returns>
    internal static (JsonObject? Doc, string? Skipped) RunScript(string scriptName, IReadOnlyList<string> arguments, string tag, TextWriter output)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "PythonReference", scriptName);
        if (!File.Exists(script))
        {
            return (null, $"{script} not found");
        }

        var waited = Stopwatch.StartNew();
        while (Directory.EnumerateFiles("/dev/shm", "sem.tsim-*").Any())
        {
            if (waited.Elapsed > s_waitForOthers)
            {
                return (null, "semaphores /dev/shm/sem.tsim-* exist (another run of the Python reference, e.g. interop tests); "
                    + $"{scriptName} would unlink them, so it was not run");
            }

            output.WriteLine("[Python] /dev/shm/sem.tsim-* exist (interop tests running?): waiting for them to go ...");
            output.Flush();
            Thread.Sleep(TimeSpan.FromSeconds(5));
        }

        var outFile = Path.Combine(Path.GetTempPath(), $"tsim-bench-py-{Environment.ProcessId}.json");
        var startInfo = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        startInfo.ArgumentList.Add(script);
        startInfo.ArgumentList.Add("--out");
        startInfo.ArgumentList.Add(outFile);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        output.WriteLine($"[Python] python3 {string.Join(' ', startInfo.ArgumentList)}");
        output.Flush();
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("python3 did not start");
        }
        catch (Win32Exception ex)
        {
            return (null, "python3 could not be started: " + ex.Message);
        }

        // bench_py writes no file when run with --only: its results are then read from its progress lines.
        var fromProgress = new JsonObject();
        using (process)
        {
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (output)
                    {
                        output.WriteLine("[Python stderr] " + e.Data);
                    }
                }
            };
            process.BeginErrorReadLine();
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (ProgressResult(line) is var (name, result))
                {
                    fromProgress[name] = result;
                }

                if (line.StartsWith('['))
                {
                    lock (output)
                    {
                        output.WriteLine(tag + line);
                        output.Flush();
                    }
                }
            }

            process.WaitForExit();
            if (process.ExitCode == 0 && !File.Exists(outFile) && fromProgress.Count > 0)
            {
                return (new JsonObject { ["results"] = fromProgress, ["note"] = "read from the progress lines ([NAME] {…})" }, null);
            }

            if (process.ExitCode != 0 || !File.Exists(outFile))
            {
                return (null, $"{scriptName} exited with {process.ExitCode}");
            }
        }

        try
        {
            return (JsonNode.Parse(File.ReadAllText(outFile))!.AsObject(), null);
        }
        finally
        {
            File.Delete(outFile);
        }
    }
}
