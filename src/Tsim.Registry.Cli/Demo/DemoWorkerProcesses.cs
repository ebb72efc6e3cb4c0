using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tsim.Registry.Cli.Demo;

/// <summary>
/// The demo's worker processes: this program started again as <c>demo-worker</c>, each line of their stdout applied
/// to the tally as it arrives, their stderr kept for the summary; waited for with a deadline, killed if still running
/// when disposed.
/// </summary>
internal sealed class DemoWorkerProcesses(DemoTally tally) : IDisposable
{
    private readonly List<Process> _processes = [];

    /// <summary>Starts worker <paramref name="worker"/> (1-based) with stdin closed.</summary>
    /// <param name="worker">Its number: its row in the tally.</param>
    /// <param name="arguments">The command line after the program, starting with the verb.</param>
    internal void Start(int worker, IEnumerable<string> arguments)
    {
        var process = new Process { StartInfo = SelfLauncher.StartInfo(arguments) };
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                tally.Apply(worker, line);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (stderr)
                {
                    stderr.AppendLine(line);
                    tally.Workers[worker - 1].Stderr = stderr.ToString();
                }
            }
        };
        process.Start();
        _processes.Add(process);
        tally.Workers[worker - 1].Pid = process.Id;
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>
    /// Waits until every worker has exited and its output has been read to the end, calling <paramref name="tick"/>
    /// every <paramref name="interval"/> meanwhile, then records the exit codes in the tally.
    /// </summary>
    /// <param name="started">When the demo started (a <see cref="Stopwatch"/> timestamp).</param>
    /// <param name="deadline">How long after <paramref name="started"/> to give up.</param>
    /// <param name="interval">How often to call <paramref name="tick"/>.</param>
    /// <param name="tick">Progress: a live view's refresh, a plain line, or nothing.</param>
    /// <exception cref="TimeoutException">A worker still runs at the deadline (disposing kills it).</exception>
    internal void WaitForExit(long started, TimeSpan deadline, TimeSpan interval, Action tick)
    {
        // WaitForExitAsync also waits for the redirected output to be read to its end, so every line is tallied.
        var all = Task.WhenAll(_processes.Select(p => p.WaitForExitAsync()));
        while (!all.Wait(interval))
        {
            tick();
            if (Stopwatch.GetElapsedTime(started) > deadline)
            {
                throw new TimeoutException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"demo workers still running {deadline.TotalSeconds:0} s after the start; they were killed."));
            }
        }

        foreach (var (process, worker) in _processes.Zip(tally.Workers))
        {
            worker.ExitCode = process.ExitCode;
        }
    }

    /// <summary>Kills the workers still running and releases the processes.</summary>
    public void Dispose()
    {
        foreach (var process in _processes)
        {
            KillIfRunning(process);
            process.Dispose();
        }

        _processes.Clear();
    }

    private static void KillIfRunning(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or exited between the check and the kill.
        }
    }
}
