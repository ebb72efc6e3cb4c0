using System.CommandLine;
using Microsoft.Extensions.Logging;
using Tsim.Registry.Cli.Logging;

namespace Tsim.Registry.Cli.Commands;

/// <summary>Builds the <see cref="RegistryManager"/> a subcommand works on, from <c>--config</c> and the global options.</summary>
internal sealed class ManagerFactory
{
    private readonly GlobalOptions _globals;
    private readonly TextWriter _error;

    internal ManagerFactory(GlobalOptions globals, TextWriter error)
    {
        _globals = globals;
        _error = error;
    }

    internal RegistryManager Create(ParseResult parseResult) => Create(parseResult, BuildOptions(parseResult));

    /// <summary>A manager on options the caller adjusted (<c>demo</c>'s private registry), logging as the options say.</summary>
    internal RegistryManager Create(ParseResult parseResult, RegistryManagerOptions options)
    {
        var minimumLevel = parseResult.GetValue(_globals.Verbose) ? LogLevel.Debug : LogLevel.Warning;
        return new RegistryManager(options, new StderrLogger<RegistryManager>(_error, minimumLevel));
    }

    /// <summary>The config file first, then every option given on the command line on top of it.</summary>
    internal RegistryManagerOptions BuildOptions(ParseResult parseResult)
    {
        // Either shape of document: the specification's, or a tsim host's config.json (RegistryManagerOptions.FromConfiguration).
        var options = parseResult.GetValue(_globals.ConfigFile) is { } configFile
            ? RegistryManagerOptions.FromJsonFile(configFile)
            : new RegistryManagerOptions();

        // Relative paths are resolved against the working directory, as the Python client does; the library
        // itself only accepts absolute ones.
        if (parseResult.GetValue(_globals.RegistryDirectory) is { } registryDirectory)
        {
            options.RegistryDirectory = Path.GetFullPath(registryDirectory);
        }

        if (parseResult.GetValue(_globals.LockDirectory) is { } lockDirectory)
        {
            options.LockDirectory = Path.GetFullPath(lockDirectory);
        }

        if (parseResult.GetValue(_globals.Prefix) is { } prefix)
        {
            options.SemaphorePrefix = prefix;
        }

        foreach (var setting in parseResult.GetValue(_globals.LockTimeouts) ?? [])
        {
            setting.ApplyTo(options.LockTimeouts);
        }

        if (parseResult.GetValue(_globals.HostsFile) is { } hostsFile)
        {
            options.RegistryFiles.Hosts = hostsFile;
        }

        if (parseResult.GetValue(_globals.HostLeasesFile) is { } hostLeasesFile)
        {
            options.RegistryFiles.HostLeases = hostLeasesFile;
        }

        if (parseResult.GetValue(_globals.NeighborLeasesFile) is { } neighborLeasesFile)
        {
            options.RegistryFiles.NeighborLeases = neighborLeasesFile;
        }

        if (parseResult.GetValue(_globals.Group) is { } group)
        {
            options.Group = group;
        }

        if (parseResult.GetValue(_globals.IpScope) is { } ipScope)
        {
            options.IpCollisionScope = ipScope;
        }

        if (parseResult.GetValue(_globals.AuditLog) is { } transactionLog)
        {
            options.EnableTransactionLog = true;
            options.TransactionLogPath = Path.GetFullPath(transactionLog);
        }

        return options;
    }
}
