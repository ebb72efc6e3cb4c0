using System.Globalization;
using Tsim.Registry.IntegrationTests.Cli;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// Workers and CLI runs of one registry inside namespaces (see <see cref="NamespaceFactAttribute"/>): started under
/// <c>unshare</c>, or entered into a running worker's pid namespace with <c>nsenter --pid</c>, which keeps this
/// process's <c>/proc</c> (a mount of the ancestor namespace).
/// </summary>
internal sealed class NamespaceProcesses(RegistryFixture registry) : IDisposable
{
    private readonly List<ChildProcess> _processes = [];

    private string[] RegistryOptions => ["--registry-dir", registry.Directory, "--prefix", registry.Prefix];

    /// <summary>Starts <c>unshare OPTIONS dotnet TestWorker.dll COMMAND ARGS --registry-dir DIR --prefix PREFIX</c>.</summary>
    internal ChildProcess StartWorker(TestNamespace kind, params string[] arguments) =>
        Track(ChildProcess.Start(
            "unshare",
            [.. NamespaceFactAttribute.UnshareOptions(kind), .. WorkerProcess.CommandLine(), .. arguments, .. RegistryOptions],
            $"unshare ({kind}) TestWorker"));

    /// <summary>Starts <c>unshare OPTIONS /bin/sh -c SCRIPT script SCRIPTARGS dotnet tsim-registry.dll --registry-dir DIR --prefix PREFIX</c>.</summary>
    internal ChildProcess StartScript(TestNamespace kind, string script, params string[] scriptArguments) =>
        Track(ChildProcess.Start(
            "unshare",
            [.. NamespaceFactAttribute.UnshareOptions(kind), "/bin/sh", "-c", script, "script", .. scriptArguments, .. CliProcess.CommandLine(), .. RegistryOptions],
            $"unshare ({kind}) script"));

    /// <summary>Runs the CLI on this registry in a new namespace of <paramref name="kind"/>, to completion.</summary>
    internal Task<ProcessRun> RunCliAsync(TestNamespace kind, params string[] arguments) =>
        CompleteAsync(ChildProcess.Start(
            "unshare",
            [.. NamespaceFactAttribute.UnshareOptions(kind), .. CliProcess.CommandLine(), .. RegistryOptions, .. arguments],
            $"unshare ({kind}) tsim-registry"));

    /// <summary>
    /// Runs the CLI on this registry in the pid namespace of <paramref name="targetPid"/> (a pid of ours), with our
    /// <c>/proc</c>: there, <c>/proc/N</c> is our process N, not that namespace's.
    /// </summary>
    internal Task<ProcessRun> RunCliInPidNamespaceOfAsync(int targetPid, params string[] arguments) =>
        CompleteAsync(ChildProcess.Start(
            "nsenter",
            ["--target", targetPid.ToString(CultureInfo.InvariantCulture), "--pid", "--", .. CliProcess.CommandLine(), .. RegistryOptions, .. arguments],
            "nsenter --pid tsim-registry"));

    /// <summary>
    /// The one child of an <c>unshare --fork</c> (the command it runs), by our pid: <c>unshare</c> itself stays in
    /// our namespaces. It exists by the time the command has printed a line.
    /// </summary>
    internal static int OnlyChild(int pid)
    {
        var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        children.Should().ContainSingle($"unshare (pid {pid}) forks exactly one command");
        return int.Parse(children[0], CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }
    }

    private static async Task<ProcessRun> CompleteAsync(ChildProcess process)
    {
        using (process)
        {
            process.CloseInput();
            return await process.CompleteAsync(TimeSpan.FromSeconds(60));
        }
    }

    private ChildProcess Track(ChildProcess process)
    {
        _processes.Add(process);
        return process;
    }
}
