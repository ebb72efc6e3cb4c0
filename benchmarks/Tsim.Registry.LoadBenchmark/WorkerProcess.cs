using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>
/// One worker: this same program started again with the hidden verb 'worker' (bench_py forks instead). The
/// parent and the worker talk in lines over stdin/stdout; that replaces Python's Barrier, Event and Queue.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private static readonly TimeSpan s_lineTimeout = TimeSpan.FromSeconds(180);
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly string _label;

    private WorkerProcess(Process process, string label)
    {
        _process = process;
        _label = label;
    }

    internal static WorkerProcess Start(string workerVerb, IEnumerable<string> arguments)
    {
        var processPath = Environment.ProcessPath
            ?? throw new InvalidOperationException("The path of this process is unknown, so the benchmark cannot start workers.");
        var startInfo = new ProcessStartInfo(processPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.Ordinal))
        {
            // `dotnet some.dll`: the host needs the entry assembly again.
            startInfo.ArgumentList.Add(Assembly.GetEntryAssembly()?.Location
                ?? throw new InvalidOperationException("The entry assembly is unknown, so the benchmark cannot start workers."));
        }

        startInfo.ArgumentList.Add(workerVerb);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {processPath}.");
        var worker = new WorkerProcess(process, string.Join(' ', startInfo.ArgumentList.Skip(startInfo.ArgumentList.IndexOf(workerVerb))));
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (worker._stderr)
                {
                    worker._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        return worker;
    }

    internal void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    internal string ReadLine()
    {
        using var cts = new CancellationTokenSource(s_lineTimeout);
        string? line;
        try
        {
            line = _process.StandardOutput.ReadLineAsync(cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"worker '{_label}' said nothing for {s_lineTimeout.TotalSeconds} s. {StdErr()}");
        }

        return line ?? throw new InvalidOperationException($"worker '{_label}' ended early. {StdErr()}");
    }

    internal void Expect(string expected)
    {
        var line = ReadLine();
        if (!string.Equals(line, expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"worker '{_label}' said '{line}', expected '{expected}'. {StdErr()}");
        }
    }

    internal void Join()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException($"worker '{_label}' did not exit.");
        }

        _process.WaitForExit();
        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"worker '{_label}' exited with {_process.ExitCode}. {StdErr()}");
        }
    }

    private string StdErr()
    {
        lock (_stderr)
        {
            return _stderr.Length == 0 ? string.Empty : "stderr: " + _stderr.ToString().Trim();
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }
}
