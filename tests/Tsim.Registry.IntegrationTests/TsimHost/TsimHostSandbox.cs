using System.Globalization;
using System.Text.Json.Nodes;
using Tsim.Registry.IntegrationTests.Cli;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Tsim.Registry.IntegrationTests.Interop;

namespace Tsim.Registry.IntegrationTests.TsimHost;

/// <summary>
/// One test's tsim host, laid out as tsim lays out <c>/dev/shm/tsim</c>: a root directory <c>/tmp/tsim-host-GUID</c>
/// (mode 1777, as <c>/dev/shm</c>) holding tsim's <c>config.json</c> (top-level <c>data_dir</c>, <c>lock_dir</c>,
/// <c>registry_files</c>, and a <c>registry_manager</c> section without directories) and the data directory
/// <c>tsim</c> with its lock directory <c>tsim/locks</c>, which the first process to start creates. The tsim side is
/// <c>tsim_host.py</c> (the vendored Python reference built as tsim builds it), the C# side the CLI and the TestWorker
/// with <c>--config config.json</c>; both can run as another uid through <c>setpriv</c>. Semaphores are the spec's
/// global <c>/tsim-*</c>, so the tests run in the <see cref="PythonInterop"/> collection. Dispose kills what still
/// runs, unlinks <c>/dev/shm/sem.tsim-*</c> and deletes the root directory.
/// </summary>
internal sealed class TsimHostSandbox : IDisposable
{
    /// <summary>The uid tsim's processes run as in the multi-user tests.</summary>
    internal const int TsimUid = 61001;

    /// <summary>A second member of tsim's group (a web service, an operator) that runs the C# side.</summary>
    internal const int MemberUid = 61002;

    /// <summary>tsim's Unix group (tsim-users on a real host), as a numeric gid: no /etc/group entry is needed.</summary>
    internal const int GroupId = 47012;

    private static readonly TimeSpan s_processTimeout = TimeSpan.FromSeconds(60);

    private readonly List<ChildProcess> _processes = [];
    private readonly CliSandbox _cli = new();

    public TsimHostSandbox()
    {
        TsimSemaphoreCleanup.UnlinkTsimSemaphores();
        Root = Path.Combine(Path.GetTempPath(), "tsim-host-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        File.SetUnixFileMode(Root, (UnixFileMode)Convert.ToInt32("1777", 8)); // Like /dev/shm: every uid may create its data_dir here.
        Home = Path.Combine(Root, "home");
        Directory.CreateDirectory(Home);
        File.SetUnixFileMode(Home, (UnixFileMode)Convert.ToInt32("777", 8));
        ConfigPath = WriteConfig("config.json", DataDirectory, LockDirectory);
    }

    /// <summary>Gets <see cref="GroupId"/> as the CLI and the drivers take it.</summary>
    internal static string Group { get; } = GroupId.ToString(CultureInfo.InvariantCulture);

    internal string Root { get; }

    /// <summary>Gets tsim's <c>data_dir</c>, the registry directory.</summary>
    internal string DataDirectory => Path.Combine(Root, "tsim");

    /// <summary>Gets tsim's <c>lock_dir</c>.</summary>
    internal string LockDirectory => Path.Combine(DataDirectory, "locks");

    /// <summary>Gets tsim's <c>config.json</c>.</summary>
    internal string ConfigPath { get; }

    /// <summary>Gets the HOME of processes of another uid (dotnet wants one; <c>/root</c> is not theirs).</summary>
    internal string Home { get; }

    internal string DataPath(string fileName) => Path.Combine(DataDirectory, fileName);

    /// <summary>
    /// tsim's <c>config.json</c> with this sandbox's paths: <c>registry_files</c> as tsim spells them (paths in
    /// <c>data_dir</c>, other parts of tsim's files included), and the <c>registry_manager</c> section tsim ships.
    /// <paramref name="edit"/> may change the document before it is written.
    /// </summary>
    internal string WriteConfig(string fileName, string dataDirectory, string lockDirectory, Action<JsonObject>? edit = null)
    {
        var document = new JsonObject
        {
            ["data_dir"] = dataDirectory,
            ["lock_dir"] = lockDirectory,
            ["registry_files"] = new JsonObject
            {
                ["hosts"] = Path.Combine(dataDirectory, "host_registry.json"),
                ["host_leases"] = Path.Combine(dataDirectory, "host_leases.json"),
                ["neighbor_leases"] = Path.Combine(dataDirectory, "neighbor_leases.json"),
                ["routers"] = Path.Combine(dataDirectory, "router_registry.json"),
                ["interfaces"] = Path.Combine(dataDirectory, "interface_registry.json"),
                ["bridges"] = Path.Combine(dataDirectory, "bridge_registry.json"),
                ["services"] = Path.Combine(dataDirectory, "services_registry.json"),
            },
            ["registry_manager"] = new JsonObject
            {
                ["lock_timeouts"] = new JsonObject
                {
                    ["host_registry"] = 5.0,
                    ["host_leases"] = 3.0,
                    ["router_lock"] = 30.0,
                    ["router_lock_atomic"] = 60.0,
                    ["neighbor_leases"] = 3.0,
                },
                ["retry_attempts"] = 3,
                ["retry_delay"] = 0.1,
                ["enable_transaction_log"] = false,
                ["transaction_log_path"] = null,
            },
        };
        edit?.Invoke(document);
        var path = Path.Combine(Root, fileName);
        File.WriteAllText(path, document.ToJsonString(new() { WriteIndented = true }));
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("644", 8));
        return path;
    }

    /// <summary>Starts <c>tsim_host.py config.json --group G ARGS</c> as root (tsim's own start-up included) and leaves it running.</summary>
    internal ChildProcess StartTsim(params string[] arguments) =>
        Track(ChildProcess.Start(PythonPath, ["-B", TsimDriver, ConfigPath, "--group", Group, .. arguments], "tsim_host.py", s_processTimeout));

    /// <summary>Runs <c>tsim_host.py config.json --group G ARGS</c> as root to completion, stdin closed.</summary>
    internal Task<ProcessRun> RunTsimAsync(params string[] arguments) => RunToEndAsync(StartTsim(arguments));

    /// <summary>
    /// Starts <c>tsim_host.py</c> as <paramref name="uid"/> (primary group the same number, supplementary group
    /// <see cref="GroupId"/>) under <paramref name="umask"/>, as a tsim process of another user.
    /// </summary>
    internal ChildProcess StartTsimAs(int uid, string umask, params string[] arguments) =>
        StartTsimWithConfigAs(uid, umask, ConfigPath, arguments);

    internal Task<ProcessRun> RunTsimAsAsync(int uid, string umask, params string[] arguments) =>
        RunToEndAsync(StartTsimAs(uid, umask, arguments));

    /// <summary>Runs <c>tsim_host.py</c> on another tsim <c>config.json</c> (<see cref="WriteConfig"/>) as <paramref name="uid"/>.</summary>
    internal Task<ProcessRun> RunTsimWithConfigAsAsync(int uid, string umask, string configPath, params string[] arguments) =>
        RunToEndAsync(StartTsimWithConfigAs(uid, umask, configPath, arguments));

    /// <summary>Runs <c>tsim-registry --config config.json --group G ARGS</c> as root to completion, stdin closed.</summary>
    internal Task<CliResult> RunCliAsync(params string[] arguments) =>
        CliSandbox.RunRawAsync(["--config", ConfigPath, "--group", Group, .. arguments]);

    /// <summary>Starts <c>tsim-registry --config config.json --group G ARGS</c> as root and leaves it running.</summary>
    internal CliProcess StartCli(params string[] arguments) => _cli.StartRaw(["--config", ConfigPath, "--group", Group, .. arguments]);

    /// <summary>
    /// Runs <c>tsim-registry ARGS</c> (nothing added) as <paramref name="uid"/> in <see cref="GroupId"/> to completion,
    /// under <c>setpriv</c> with HOME set to <see cref="Home"/>.
    /// </summary>
    internal Task<CliResult> RunCliRawAsAsync(int uid, params string[] arguments) =>
        RunToEndAsync(StartCliRawAs(uid, arguments));

    /// <summary>Runs <c>tsim-registry --config config.json --group G ARGS</c> as <paramref name="uid"/> to completion.</summary>
    internal Task<CliResult> RunCliAsAsync(int uid, params string[] arguments) =>
        RunCliRawAsAsync(uid, ["--config", ConfigPath, "--group", Group, .. arguments]);

    /// <summary>Starts <c>tsim-registry --config config.json --group G ARGS</c> as <paramref name="uid"/> and leaves it running.</summary>
    internal ChildProcess StartCliAs(int uid, params string[] arguments) =>
        StartCliRawAs(uid, ["--config", ConfigPath, "--group", Group, .. arguments]);

    /// <summary>Starts a TestWorker command with <c>--config config.json --group G</c> (prefix <c>tsim</c> from the defaults).</summary>
    internal WorkerProcess StartWorker(string command, params string[] arguments) =>
        Track(WorkerProcess.Start([command, .. arguments, "--config", ConfigPath, "--group", Group]));

    public void Dispose()
    {
        lock (_processes)
        {
            foreach (var process in _processes)
            {
                process.Dispose();
            }
        }

        _cli.Dispose();
        TsimSemaphoreCleanup.UnlinkTsimSemaphores();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A killed process may still have been writing a temp file; /tmp is cleaned eventually anyway.
        }
    }

    /// <summary>The system interpreter: the pyenv shim on root's PATH lives under /root, which other uids cannot enter.</summary>
    internal static string PythonPath => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static string TsimDriver => Path.Combine(InteropSandbox.PythonReferenceDirectory, "tsim_host.py");

    /// <summary>The dotnet muxer by absolute path, for a process whose PATH lookup must not depend on root's PATH.</summary>
    private static string DotnetPath
    {
        get
        {
            var host = ChildProcess.DotnetHost();
            return Path.IsPathFullyQualified(host) ? host : "/usr/share/dotnet/dotnet";
        }
    }

    private static string[] SetprivArguments(int uid)
    {
        var id = uid.ToString(CultureInfo.InvariantCulture);
        return [$"--reuid={id}", $"--regid={id}", $"--groups={Group}"];
    }

    private ChildProcess StartTsimWithConfigAs(int uid, string umask, string configPath, string[] arguments) =>
        Track(ChildProcess.Start(
            "setpriv",
            [.. SetprivArguments(uid), PythonPath, "-B", TsimDriver, configPath, "--group", Group, "--umask", umask, .. arguments],
            $"tsim_host.py (uid {uid}, umask {umask})",
            s_processTimeout));

    private ChildProcess StartCliRawAs(int uid, string[] arguments) =>
        Track(ChildProcess.Start(
            "env",
            ["HOME=" + Home, "setpriv", .. SetprivArguments(uid), DotnetPath, Path.Combine(AppContext.BaseDirectory, "tsim-registry.dll"), .. arguments],
            $"tsim-registry (uid {uid})",
            s_processTimeout));

    private T Track<T>(T process)
        where T : ChildProcess
    {
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    private static Task<ProcessRun> RunToEndAsync(ChildProcess process)
    {
        process.CloseInput();
        return process.CompleteAsync();
    }
}
