using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>
/// Runs <c>python3 bench_py.py --out &lt;tmp.json&gt;</c> from the copy next to this assembly and reads its JSON.
/// bench_py uses the spec's global semaphore names and unlinks every <c>/dev/shm/sem.tsim-*</c>, so it runs only
/// when no such semaphore exists (an interoperability test run uses them): it waits up to a minute, then skips.
/// </summary>
internal static class PythonBaseline
{
    private static readonly TimeSpan s_waitForOthers = TimeSpan.FromSeconds(60);

    internal static (JsonObject? Doc, string? Skipped) Run(bool quick, TextWriter output)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "PythonReference", "bench_py.py");
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
                    + "bench_py.py would unlink them, so it was not run");
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
        if (quick)
        {
            startInfo.ArgumentList.Add("--quick");
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
                if (line.StartsWith('['))
                {
                    lock (output)
                    {
                        output.WriteLine("[Python] " + line);
                        output.Flush();
                    }
                }
            }

            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(outFile))
            {
                return (null, $"bench_py.py exited with {process.ExitCode}");
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
