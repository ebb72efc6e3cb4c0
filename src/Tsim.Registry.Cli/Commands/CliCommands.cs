using System.CommandLine;

namespace Tsim.Registry.Cli.Commands;

/// <summary>Assembles the root command from the global options and the subcommands of each area.</summary>
internal static class CliCommands
{
    internal static RootCommand CreateRoot(TextReader input, TextWriter output, TextWriter error)
    {
        var context = new CliContext(input, output, error);
        var root = new RootCommand(
            "Tsim host registry: hosts, leases and router locks shared across processes (and with the Python RegistryManager). "
            + "Exit status: 0 success, 1 negative outcome, 2 error ('ERROR <Type>: message' on stderr).");
        foreach (var option in context.Globals.All)
        {
            root.Options.Add(option);
        }

        IEnumerable<Command>[] areas =
        [
            HostCommands.Create(context),
            RouterCommands.Create(context),
            LeaseCommands.Create(context),
            NeighborCommands.Create(context),
            DiagnosticCommands.Create(context),
            RecoveryCommands.Create(context),
            RepairCommand.Create(context),
            RemoveTemporaryCommand.Create(context),
            StatusCommand.Create(context),
            DemoCommand.Create(context),
        ];
        foreach (var command in areas.SelectMany(area => area))
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
