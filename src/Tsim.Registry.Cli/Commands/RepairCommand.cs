using System.CommandLine;

namespace Tsim.Registry.Cli.Commands;

/// <summary><c>repair</c>: moves corrupt registry files aside for an operator (DESIGN.md §4 item 10).</summary>
internal static class RepairCommand
{
    internal static IEnumerable<Command> Create(CliContext context) => [Repair(context)];

    private static Command Repair(CliContext context)
    {
        var command = new Command(
            "repair",
            "Move every registry file that does not parse aside to FILE.corrupt-<yyyyMMddTHHmmssZ> (UTC), under its registry lock: "
            + "one line 'MOVED <file> <new path>: <reason>' per file, or OK when none is corrupt (exit 0 either way). "
            + "The hosts or leases a moved file held are no longer known to the registry.");
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var moved = manager.QuarantineCorruptFiles();
            foreach (var file in moved)
            {
                context.WriteLine($"MOVED {file.FilePath} {file.QuarantinePath}: {file.Reason}");
            }

            if (moved.Count == 0)
            {
                context.WriteLine("OK");
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
