using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>
/// A running <c>tsim-registry</c> process. Output lines arrive through a channel, so a test waits for a line with a
/// deadline instead of sleeping; stdin stays open for <c>--hold -1</c>.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    /// <summary>Generous: a cold <c>dotnet</c> start on a loaded 2-core CI box can take seconds.</summary>
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CliProcess(Process process)
    {
        _process = process;
    }

    internal int Id => _process.Id;

    /// <summary>Gets what the process wrote to stderr so far (complete once it has exited).</summary>
    internal string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    internal static CliProcess Start(IEnumerable<string> args)
    {
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(CliAssemblyPath());
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                cli._stdout.Writer.TryComplete();
            }
            else
            {
                cli._stdout.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                cli._stderrClosed.TrySetResult();
                return;
            }

            lock (cli._stderr)
            {
                cli._stderr.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Reads the next stdout line; <see langword="null"/> at end of output.</summary>
    /// <exception cref="TimeoutException">No line within the timeout (the process is then killed by Dispose).</exception>
    internal async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _stdout.Reader.ReadAsync(cts.Token);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"tsim-registry (pid {Id}) printed no line within {timeout ?? DefaultTimeout}. stderr: {Stderr}");
        }
    }

    internal async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    internal void CloseInput() => _process.StandardInput.Close();

    /// <summary>Sends SIGTERM, as a job runner or systemd stopping the process would (Process.Kill sends SIGKILL).</summary>
    internal async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        kill.ExitCode.Should().Be(0, "kill -TERM must reach the process");
    }

    /// <summary>Reads the remaining output, waits for the exit, and returns the whole run.</summary>
    internal async Task<CliResult> CompleteAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var lines = new List<string>();
        try
        {
            await foreach (var line in _stdout.Reader.ReadAllAsync(cts.Token))
            {
                lines.Add(line);
            }

            await _process.WaitForExitAsync(cts.Token);
            await _stderrClosed.Task.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException(
                $"tsim-registry (pid {Id}) did not exit within {timeout ?? DefaultTimeout}. stdout: {string.Join('\n', lines)} stderr: {Stderr}");
        }

        return new CliResult(_process.ExitCode, lines, Stderr);
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
            // Exited between the check and the kill.
        }

        _process.Dispose();
    }

    private static string CliAssemblyPath()
    {
        // The test project references the CLI project, so the build copies tsim-registry.dll, its runtimeconfig and
        // its dependencies next to the test assembly.
        var path = Path.Combine(AppContext.BaseDirectory, "tsim-registry.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("tsim-registry.dll is not next to the test assembly.", path);
    }

    /// <summary>The dotnet host running the tests (set by the SDK), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
