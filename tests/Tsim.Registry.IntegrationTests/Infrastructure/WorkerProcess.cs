namespace Tsim.Registry.IntegrationTests.Infrastructure;

/// <summary>
/// One running <c>Tsim.Registry.TestWorker</c> (<c>dotnet Tsim.Registry.TestWorker.dll ARGS</c>): a
/// <see cref="ChildProcess"/> whose lines follow the worker's protocol (<c>ready</c>, <c>go</c>, <c>acquired TS</c>, …).
/// </summary>
public sealed class WorkerProcess : ChildProcess
{
    /// <summary>How long a single expected line may take by default: generous, tests share two cores.</summary>
    public static readonly TimeSpan DefaultLineTimeout = TimeSpan.FromSeconds(30);

    private static readonly Lazy<string> s_workerPath = new(FindWorker);

    private WorkerProcess(IReadOnlyList<string> arguments)
        : base(DotnetHost(), [s_workerPath.Value, .. arguments], "TestWorker " + string.Join(' ', arguments), DefaultLineTimeout)
    {
    }

    /// <summary>Starts <c>dotnet Tsim.Registry.TestWorker.dll ARGS</c>.</summary>
    public static WorkerProcess Start(IEnumerable<string> arguments) => new([.. arguments]);

    /// <summary>The program and first argument that run the worker (<c>dotnet Tsim.Registry.TestWorker.dll</c>), for a wrapper such as <c>unshare</c>.</summary>
    public static string[] CommandLine() => [DotnetHost(), s_workerPath.Value];

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
}
