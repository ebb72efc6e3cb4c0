using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace Tsim.Registry.IntegrationTests.Infrastructure;

/// <summary>
/// One running <c>Tsim.Registry.TestWorker</c>: its stdout lines arrive in order through <see cref="ReadLineAsync"/>,
/// stdin takes commands through <see cref="SendLine"/>, stderr is kept for failure messages. Disposing kills it if
/// it is still running.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    /// <summary>How long a single expected line may take by default: generous, tests share two cores.</summary>
    public static readonly TimeSpan DefaultLineTimeout = TimeSpan.FromSeconds(30);

    private static readonly Lazy<string> s_workerPath = new(FindWorker);

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StringBuilder _stderr = new();
    private readonly Task _stdoutPump;

    private WorkerProcess(Process process, string description)
    {
        _process = process;
        Description = description;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
        _stdoutPump = Task.Run(PumpStdoutAsync);
    }

    /// <summary>Gets the command line, for messages.</summary>
    public string Description { get; }

    /// <summary>Gets the worker's process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Gets what the worker wrote to stderr so far.</summary>
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

    /// <summary>Starts <c>dotnet Tsim.Registry.TestWorker.dll ARGS</c>.</summary>
    public static WorkerProcess Start(IEnumerable<string> arguments) =>
        StartProgram(DotnetHost(), [s_workerPath.Value, .. arguments], "TestWorker");

    /// <summary>
    /// Starts another program that speaks the same line protocol (e.g. <c>python3</c> with a driver script of the
    /// interoperability tests); <paramref name="name"/> stands for the program and its first argument in messages.
    /// </summary>
    public static WorkerProcess StartProgram(string fileName, IEnumerable<string> arguments, string name)
    {
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

        var description = name + " " + string.Join(' ', startInfo.ArgumentList.Skip(1));
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {description}.");
        return new WorkerProcess(process, description);
    }

    /// <summary>Reads the next stdout line, failing with the worker's stderr when none comes in time or it exits.</summary>
    public async Task<string> ReadLineAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultLineTimeout;
        using var cancellation = new CancellationTokenSource(limit);
        try
        {
            return await _lines.Reader.ReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Description} (pid {Pid}) printed no line within {limit}. stderr:\n{Stderr}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"{Description} (pid {Pid}) ended its output{ExitDescription()}. stderr:\n{Stderr}");
        }
    }

    /// <summary>Reads the next line and checks its first token; returns the tokens after it.</summary>
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

    /// <summary>Returns a line the worker has already printed, without waiting; <see langword="null"/> if there is none yet.</summary>
    public string? TryReadPrintedLine() => _lines.Reader.TryRead(out var line) ? line : null;

    /// <summary>Writes one command line to the worker's stdin.</summary>
    public void SendLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Waits for the worker to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultLineTimeout;
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

    /// <summary>Kills the worker with SIGKILL (a crash: no handler of the library runs) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await WaitForExitAsync();
    }

    /// <summary>Kills the worker if it still runs (SIGKILL), and releases the process handle.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }

        _stdoutPump.Wait(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }

    /// <summary>
    /// The test host runs under the SDK's muxer, which exports its path as DOTNET_HOST_PATH; fall back to the
    /// dotnet on PATH.
    /// </summary>
    private static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>
    /// The project reference copies the worker (dll, runtimeconfig, deps) next to the tests; a build of the worker
    /// project on its own is the fallback.
    /// </summary>
    private static string FindWorker()
    {
        const string FileName = "Tsim.Registry.TestWorker.dll";
        var local = Path.Combine(AppContext.BaseDirectory, FileName);
        if (File.Exists(local) && File.Exists(Path.ChangeExtension(local, ".runtimeconfig.json")))
        {
            return local;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var project = Path.Combine(directory.FullName, "tests", "Tsim.Registry.TestWorker", "bin");
            if (Directory.Exists(project))
            {
                var built = Directory.GetFiles(project, FileName, SearchOption.AllDirectories)
                    .Where(p => File.Exists(Path.ChangeExtension(p, ".runtimeconfig.json")))
                    .OrderByDescending(File.GetLastWriteTimeUtc)
                    .FirstOrDefault();
                if (built is not null)
                {
                    return built;
                }
            }
        }

        throw new FileNotFoundException($"{FileName} is neither in {AppContext.BaseDirectory} nor under tests/Tsim.Registry.TestWorker/bin; build the worker project.");
    }

    private async Task PumpStdoutAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                _lines.Writer.TryWrite(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The process was killed and its pipe closed under us.
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
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
