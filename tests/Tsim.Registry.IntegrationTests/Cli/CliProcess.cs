using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>
/// A running <c>tsim-registry</c> process (<c>dotnet tsim-registry.dll ARGS</c>): a <see cref="ChildProcess"/> whose
/// stdin stays open for <c>--hold -1</c>, with a longer default timeout.
/// </summary>
internal sealed class CliProcess : ChildProcess
{
    /// <summary>Generous: a cold <c>dotnet</c> start on a loaded 2-core CI box can take seconds.</summary>
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(60);

    private CliProcess(IReadOnlyList<string> args)
        : base(DotnetHost(), [CliAssemblyPath(), .. args], "tsim-registry " + string.Join(' ', args), s_defaultTimeout)
    {
    }

    internal static CliProcess Start(IEnumerable<string> args) => new([.. args]);

    /// <summary>The program and first argument that run the CLI (<c>dotnet tsim-registry.dll</c>), for a script or a wrapper such as <c>unshare</c>.</summary>
    internal static string[] CommandLine() => [DotnetHost(), CliAssemblyPath()];

    private static string CliAssemblyPath()
    {
        // The test project references the CLI project, so the build copies tsim-registry.dll, its runtimeconfig and
        // its dependencies next to the test assembly.
        var path = Path.Combine(AppContext.BaseDirectory, "tsim-registry.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("tsim-registry.dll is not next to the test assembly.", path);
    }
}
