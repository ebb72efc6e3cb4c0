using System.CommandLine;

namespace Tsim.Registry.Cli.Commands;

/// <summary>
/// The options every subcommand accepts, before or after its name (<see cref="Option.Recursive"/>). Options that map
/// to <see cref="RegistryManagerOptions"/> have no parser default: an option left out must not override the
/// <c>--config</c> file, so the defaults live in <see cref="RegistryManagerOptions"/> and are only named in the help.
/// </summary>
internal sealed class GlobalOptions
{
    internal Option<string?> RegistryDirectory { get; } = new("--registry-dir")
    {
        Description = $"Directory of the registry JSON files (default {RegistryManagerOptions.DefaultRegistryDirectory}).",
        HelpName = "DIR",
        Recursive = true,
    };

    internal Option<string?> LockDirectory { get; } = new("--lock-dir")
    {
        Description = "Directory of router owner records and notify files (default <registry-dir>/locks).",
        HelpName = "DIR",
        Recursive = true,
    };

    internal Option<string?> Prefix { get; } = new("--prefix")
    {
        Description = $"Semaphore name prefix (default {RegistryManagerOptions.DefaultSemaphorePrefix}: /tsim-hosts-registry, /tsim-router-NAME, …).",
        HelpName = "PREFIX",
        Recursive = true,
    };

    internal Option<IReadOnlyList<LockTimeoutSetting>> LockTimeouts { get; } = new("--lock-timeout")
    {
        Description = $"A lock timeout in seconds, repeatable; KEY is one of {string.Join(", ", LockTimeoutSetting.Keys)}.",
        HelpName = "KEY=SEC",
        Recursive = true,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = LockTimeoutSetting.ParseAll,
    };

    internal Option<string?> AuditLog { get; } = new("--txlog")
    {
        Description = "Enable the transaction log (JSON Lines) at PATH.",
        HelpName = "PATH",
        Recursive = true,
    };

    internal Option<string?> ConfigFile { get; } = new("--config")
    {
        Description = "JSON configuration file; its registry_manager section is read first, command-line options override it.",
        HelpName = "FILE",
        Recursive = true,
    };

    internal Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Log at Debug level to stderr.",
        Recursive = true,
    };

    internal IEnumerable<Option> All =>
        [RegistryDirectory, LockDirectory, Prefix, LockTimeouts, AuditLog, ConfigFile, Verbose];
}
