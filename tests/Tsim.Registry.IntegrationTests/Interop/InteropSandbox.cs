using System.Text.Json.Nodes;
using Tsim.Registry.IntegrationTests.Cli;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Interop;

/// <summary>
/// One interoperability test's registry, shared by Python and C# processes on the spec's default semaphore prefix
/// <c>tsim</c>: a directory <c>/tmp/tsim-interop-GUID</c> (lock directory <c>locks</c> inside it, the default of
/// both sides), Python processes (the vendored reference, <see cref="PythonReferenceDirectory"/>), CLI and worker
/// processes, and in-process managers. Dispose kills what still runs, unlinks <c>/dev/shm/sem.tsim-*</c> (the
/// collection runs serially, so they are this test's) and deletes the directory.
/// </summary>
internal sealed class InteropSandbox : IDisposable
{
    /// <summary>The spec's semaphore prefix, which the Python side cannot change.</summary>
    internal const string Prefix = RegistryManagerOptions.DefaultSemaphorePrefix;

    private readonly List<ChildProcess> _processes = [];
    private readonly List<RegistryManager> _managers = [];
    private readonly CliSandbox _cli = new();

    public InteropSandbox()
    {
        TsimSemaphoreCleanup.UnlinkTsimSemaphores();
        Directory = Path.Combine(Path.GetTempPath(), "tsim-interop-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>Where the csproj copies the vendored Python reference and our drivers.</summary>
    internal static string PythonReferenceDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "Interop", "PythonReference");

    /// <summary>Gets the registry directory.</summary>
    internal string Directory { get; }

    /// <summary>Gets the lock directory both sides default to.</summary>
    internal string LockDirectory => Path.Combine(Directory, "locks");

    internal string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>Starts a Python driver script (<c>python3 -B SCRIPT ARGS</c>) and leaves it running.</summary>
    internal ChildProcess StartPythonScript(string script, params string[] arguments)
    {
        var process = ChildProcess.Start("python3", ["-B", Path.Combine(PythonReferenceDirectory, script), .. arguments], "python3");
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    /// <summary>Starts <c>interop_client.py --registry-dir DIR ARGS</c> and leaves it running.</summary>
    internal ChildProcess StartPython(params string[] arguments) =>
        StartPythonScript("interop_client.py", ["--registry-dir", Directory, .. arguments]);

    /// <summary>Runs <c>interop_client.py --registry-dir DIR ARGS</c> to completion, stdin closed.</summary>
    internal Task<ProcessRun> RunPythonAsync(params string[] arguments) => RunToEndAsync(StartPython(arguments));

    /// <summary>Runs a Python driver script to completion, stdin closed.</summary>
    internal Task<ProcessRun> RunPythonScriptAsync(string script, params string[] arguments) =>
        RunToEndAsync(StartPythonScript(script, arguments));

    /// <summary>Starts a TestWorker command on this registry with the prefix <c>tsim</c>.</summary>
    internal WorkerProcess StartWorker(string command, params string[] arguments)
    {
        var worker = WorkerProcess.Start([command, .. arguments, "--registry-dir", Directory, "--prefix", Prefix]);
        lock (_processes)
        {
            _processes.Add(worker);
        }

        return worker;
    }

    /// <summary>Starts <c>tsim-registry --registry-dir DIR --prefix tsim ARGS</c> and leaves it running.</summary>
    internal CliProcess StartCli(params string[] arguments) => _cli.StartRaw(["--registry-dir", Directory, "--prefix", Prefix, .. arguments]);

    /// <summary>Runs <c>tsim-registry --registry-dir DIR --prefix tsim ARGS</c> to completion, stdin closed.</summary>
    internal Task<CliResult> RunCliAsync(params string[] arguments) =>
        CliSandbox.RunRawAsync(["--registry-dir", Directory, "--prefix", Prefix, .. arguments]);

    /// <summary>Creates an in-process manager on this registry (prefix <c>tsim</c>), disposed with the sandbox.</summary>
    internal RegistryManager CreateManager(RegistryLockTimeouts? timeouts = null)
    {
        var manager = new RegistryManager(new RegistryManagerOptions
        {
            RegistryDirectory = Directory,
            SemaphorePrefix = Prefix,
            LockTimeouts = timeouts ?? new RegistryLockTimeouts(),
        });
        _managers.Add(manager);
        return manager;
    }

    /// <summary>Reads <c>hosts.json</c> as JSON (what either side wrote last).</summary>
    internal JsonObject ReadHostsFile() => JsonNode.Parse(File.ReadAllText(PathOf("hosts.json")))!.AsObject();

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        foreach (var manager in _managers)
        {
            manager.Dispose();
        }

        _cli.Dispose();
        TsimSemaphoreCleanup.UnlinkTsimSemaphores();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A killed process may still have been writing a temp file; /tmp is cleaned eventually anyway.
        }
    }

    /// <summary>Closes stdin, then collects the whole run (every stdout line, exit status, stderr).</summary>
    private static Task<ProcessRun> RunToEndAsync(ChildProcess process)
    {
        process.CloseInput();
        return process.CompleteAsync();
    }
}
