using System.CommandLine;
using System.CommandLine.Parsing;

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
        Description = "JSON configuration file: the specification's (registry_manager section) or a tsim host's config.json (data_dir, lock_dir, registry_files); read first, command-line options override it.",
        HelpName = "FILE",
        Recursive = true,
    };

    internal Option<string?> HostsFile { get; } = new("--hosts-file")
    {
        Description = $"File name of the hosts registry in the registry directory (default {RegistryFileNames.DefaultHosts}; tsim's is {RegistryFileNames.TsimHosts}).",
        HelpName = "NAME",
        Recursive = true,
    };

    internal Option<string?> HostLeasesFile { get; } = new("--host-leases-file")
    {
        Description = $"File name of the host leases in the registry directory (default {RegistryFileNames.DefaultHostLeases}).",
        HelpName = "NAME",
        Recursive = true,
    };

    internal Option<string?> NeighborLeasesFile { get; } = new("--neighbor-leases-file")
    {
        Description = $"File name of the neighbour leases in the registry directory (default {RegistryFileNames.DefaultNeighborLeases}).",
        HelpName = "NAME",
        Recursive = true,
    };

    internal Option<string?> Group { get; } = new("--group")
    {
        Description = "Unix group the registry is shared with (name or gid), e.g. tsim-users on a tsim host (default: a private registry).",
        HelpName = "GROUP",
        Recursive = true,
    };

    internal Option<IpCollisionScope?> IpScope { get; } = new("--ip-scope")
    {
        Description = "Which hosts a new host's IP must differ from: global (the specification; default) or router (tsim; default with a tsim config.json).",
        HelpName = "global|router",
        Recursive = true,
        CustomParser = ParseIpScope,
    };

    internal Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Log at Debug level to stderr.",
        Recursive = true,
    };

    internal IEnumerable<Option> All =>
        [RegistryDirectory, LockDirectory, Prefix, LockTimeouts, AuditLog, ConfigFile, HostsFile, HostLeasesFile, NeighborLeasesFile, Group, IpScope, Verbose];

    /// <summary>Only the two configuration spellings, so that a number or a typo never slips through as an enum value.</summary>
    private static IpCollisionScope? ParseIpScope(ArgumentResult result)
    {
        var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        switch (token)
        {
            case "global":
                return IpCollisionScope.Global;
            case "router":
                return IpCollisionScope.Router;
            default:
                result.AddError($"--ip-scope must be 'global' or 'router' (got '{token}').");
                return null;
        }
    }
}
