using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace Tsim.Registry.IntegrationTests.Infrastructure;

/// <summary>
/// A child process of a test, driven through its standard streams: its stdout lines arrive in order (each read waits
/// for the next line's event, with a deadline, never by polling), stdin takes command lines, stderr is kept for
/// failure messages. <see cref="KillAsync"/> is SIGKILL (a crash: no handler of the child runs), and Dispose kills the
/// process tree if it still runs. The TestWorker (<see cref="WorkerProcess"/>), the CLI (<c>CliProcess</c>) and any
/// other program that speaks a line protocol (Python drivers, <c>unshare</c> scripts) are this class.
/// </summary>
public class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _stderr = new();

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/>, every stream redirected.</summary>
    /// <param name="fileName">The program.</param>
    /// <param name="arguments">Its arguments, passed as they are (no shell).</param>
    /// <param name="description">The command line as messages show it.</param>
    /// <param name="defaultTimeout">How long a read or an exit wait may take when the caller names no timeout.</param>
    protected ChildProcess(string fileName, IEnumerable<string> arguments, string description, TimeSpan defaultTimeout)
    {
        Description = description;
        DefaultTimeout = defaultTimeout;
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = startInfo };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _stdout.Writer.TryComplete();
                _stdoutClosed.TrySetResult();
            }
            else
            {
                _stdout.Writer.TryWrite(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _stderrClosed.TrySetResult();
                return;
            }

            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Gets the command line, for messages.</summary>
    public string Description { get; }

    /// <summary>Gets how long a read or an exit wait may take when the caller names no timeout.</summary>
    public TimeSpan DefaultTimeout { get; }

    /// <summary>Gets the process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Gets what the process wrote to stderr so far (all of it once <see cref="CompleteAsync"/> returned).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a program that speaks a line protocol; <paramref name="name"/> stands for the program and its first
    /// argument (e.g. a script) in messages.
    /// </summary>
    public static ChildProcess Start(string fileName, IReadOnlyList<string> arguments, string name, TimeSpan? defaultTimeout = null) =>
        new(fileName, arguments, name + " " + string.Join(' ', arguments.Skip(1)), defaultTimeout ?? TimeSpan.FromSeconds(30));

    /// <summary>
    /// Reads the next stdout line.
    /// </summary>
    /// <exception cref="TimeoutException">No line came within the timeout (the message carries stderr).</exception>
    /// <exception cref="InvalidOperationException">The output ended: the process exited or was killed.</exception>
    public async Task<string> ReadLineAsync(TimeSpan? timeout = null) =>
        await ReadLineOrEndAsync(timeout)
        ?? throw new InvalidOperationException($"{Description} (pid {Pid}) ended its output{ExitDescription()}. stderr:\n{Stderr}");

    /// <summary>Reads the next stdout line, or returns <see langword="null"/> at the end of the output.</summary>
    /// <exception cref="TimeoutException">No line came within the timeout (the message carries stderr).</exception>
    public async Task<string?> ReadLineOrEndAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        using var cancellation = new CancellationTokenSource(limit);
        try
        {
            return await _stdout.Reader.ReadAsync(cancellation.Token);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Description} (pid {Pid}) printed no line within {limit}. stderr:\n{Stderr}");
        }
    }

    /// <summary>Reads the next line and checks its first token (a <c>ready</c>-style line); returns the tokens after it.</summary>
    /// <exception cref="InvalidOperationException">The line starts with another token, or the output ended.</exception>
    public async Task<string[]> ExpectAsync(string firstToken, TimeSpan? timeout = null)
    {
        var line = await ReadLineAsync(timeout);
        var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0 || tokens[0] != firstToken)
        {
            throw new InvalidOperationException($"{Description} (pid {Pid}) printed '{line}', expected '{firstToken} …'. stderr:\n{Stderr}");
        }

        return tokens[1..];
    }

    /// <summary>Returns a line the process has already printed, without waiting; <see langword="null"/> if there is none yet.</summary>
    public string? TryReadPrintedLine() => _stdout.Reader.TryRead(out var line) ? line : null;

    /// <summary>Writes one command line to stdin.</summary>
    public void SendLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Writes one command line to stdin.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes stdin (end of input for a process that reads it).</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits for the process to exit and returns its exit code (128 + N after signal N).</summary>
    /// <exception cref="TimeoutException">It did not exit within the timeout.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        using var cancellation = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Description} (pid {Pid}) did not exit within {limit}. stderr:\n{Stderr}");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the process (and its children) with SIGKILL, a crash, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await WaitForExitAsync();
    }

    /// <summary>
    /// Sends SIGTERM, as a job runner or systemd stopping the process would (<see cref="KillAsync"/> sends SIGKILL),
    /// without waiting for the exit.
    /// </summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        kill.ExitCode.Should().Be(0, "kill -TERM must reach the process");
    }

    /// <summary>Reads the remaining stdout lines, waits for the exit and the end of stderr, and returns the whole run.</summary>
    /// <exception cref="TimeoutException">The process did not finish within the timeout.</exception>
    public async Task<ProcessRun> CompleteAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        using var cancellation = new CancellationTokenSource(limit);
        var lines = new List<string>();
        try
        {
            await foreach (var line in _stdout.Reader.ReadAllAsync(cancellation.Token))
            {
                lines.Add(line);
            }

            await _process.WaitForExitAsync(cancellation.Token);
            await _stderrClosed.Task.WaitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Description} (pid {Pid}) did not exit within {limit}. stdout: {string.Join('\n', lines)} stderr: {Stderr}");
        }

        return new ProcessRun(_process.ExitCode, lines, Stderr);
    }

    /// <summary>Kills the process tree if it still runs (SIGKILL), and releases the process handle.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The test host runs under the SDK's muxer, which exports its path as <c>DOTNET_HOST_PATH</c>; else the
    /// <c>dotnet</c> on PATH.
    /// </summary>
    internal static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Kills what still runs, waits for the end of its output, and releases the process handle.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

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

        // A reader still waiting for a line (e.g. merged output of several processes) sees the end of the output.
        _stdoutClosed.Task.Wait(TimeSpan.FromSeconds(5));
        _stdout.Writer.TryComplete();
        _process.Dispose();
    }

    private string ExitDescription()
    {
        try
        {
            return _process.WaitForExit(2000) ? string.Create(CultureInfo.InvariantCulture, $" and exited with code {_process.ExitCode}") : string.Empty;
        }
        catch (InvalidOperationException)
        {
            return string.Empty;
        }
    }
}

/// <summary>A finished child process: exit status, stdout lines and stderr.</summary>
public sealed record ProcessRun(int ExitCode, IReadOnlyList<string> Lines, string Stderr)
{
    /// <summary>Gets the first stdout line (the machine-readable result of a Python driver), or an empty string.</summary>
    public string First => Lines.Count > 0 ? Lines[0] : string.Empty;

    /// <summary>Gets stdout, its lines joined by newlines.</summary>
    public string Stdout => string.Join('\n', Lines);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
