namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>
/// One test's private registry for the CLI: a <see cref="TemporaryRegistry"/> (never <c>tsim</c>, never
/// <c>/dev/shm/tsim</c>), whose registry directory the CLI creates on first use, and the CLI processes started on it.
/// Dispose kills leftover processes, then disposes the temporary registry (semaphores and directory).
/// </summary>
internal sealed class CliSandbox : IDisposable
{
    private readonly List<CliProcess> _processes = [];
    private readonly TemporaryRegistry _registry = new();

    internal string Prefix => _registry.SemaphorePrefix;

    internal string RegistryDirectory => _registry.RegistryDirectory;

    /// <summary>Gets the temporary registry under this sandbox.</summary>
    internal TemporaryRegistry Registry => _registry;

    /// <summary>The global options that point the CLI at this sandbox.</summary>
    internal IReadOnlyList<string> GlobalArgs => ["--registry-dir", RegistryDirectory, "--prefix", Prefix];

    /// <summary>Runs the CLI on this sandbox (global options first) to completion, with stdin closed.</summary>
    internal Task<CliResult> RunAsync(params string[] args) => RunRawAsync([.. GlobalArgs, .. args]);

    /// <summary>Runs the CLI with exactly these arguments (no sandbox options added).</summary>
    internal static async Task<CliResult> RunRawAsync(params string[] args)
    {
        using var process = CliProcess.Start(args);
        process.CloseInput();
        return await process.CompleteAsync();
    }

    /// <summary>Starts the CLI on this sandbox and leaves it running; the sandbox kills it on Dispose if still alive.</summary>
    internal CliProcess Start(params string[] args) => StartRaw([.. GlobalArgs, .. args]);

    /// <summary>Starts the CLI with exactly these arguments and leaves it running, killed on Dispose if still alive.</summary>
    internal CliProcess StartRaw(params string[] args)
    {
        var process = CliProcess.Start(args);
        _processes.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        _registry.Dispose();
    }
}
