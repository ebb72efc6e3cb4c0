
namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>A finished <c>tsim-registry</c> run: exit status, stdout lines and stderr.</summary>
internal sealed record CliResult(int ExitCode, IReadOnlyList<string> Lines, string Stderr)
{
    internal string Stdout => string.Join('\n', Lines);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
