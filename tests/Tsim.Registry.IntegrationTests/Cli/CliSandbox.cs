using System.Security.Cryptography;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>
/// One test's private registry: a temp directory and a semaphore prefix of its own (never <c>tsim</c>, never
/// <c>/dev/shm/tsim</c>), so that tests run in parallel with each other and with anyone else's registry. Dispose kills
/// leftover processes, unlinks the test's semaphores and deletes the directory.
/// </summary>
internal sealed class CliSandbox : IDisposable
{
    private readonly List<CliProcess> _processes = [];

    public CliSandbox()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        Prefix = "clit" + id;
        RegistryDirectory = Path.Combine(Path.GetTempPath(), $"tsim-cli-test-{Guid.NewGuid():N}");
    }

    internal string Prefix { get; }

    internal string RegistryDirectory { get; }

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

        // glibc keeps semaphore /NAME as /dev/shm/sem.NAME; deleting the file is sem_unlink.
        foreach (var semaphore in Directory.EnumerateFiles("/dev/shm", $"sem.{Prefix}-*"))
        {
            File.Delete(semaphore);
        }

        if (Directory.Exists(RegistryDirectory))
        {
            Directory.Delete(RegistryDirectory, recursive: true);
        }
    }
}
