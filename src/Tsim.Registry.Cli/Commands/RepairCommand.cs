using System.CommandLine;
using Tsim.Registry.Cli.Rendering;

namespace Tsim.Registry.Cli.Commands;

/// <summary><c>repair</c>: moves corrupt registry files aside for an operator (docs/ARCHITECTURE.md, "Deviations", 10).</summary>
internal static class RepairCommand
{
    internal static IEnumerable<Command> Create(CliContext context) => [Repair(context)];

    private static Command Repair(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print {\"moved\": [{\"file\", \"moved_to\", \"reason\"}, …], \"ok\": b} instead of lines." };
        var command = new Command(
            "repair",
            "Move every registry file that is not JSON aside to FILE.corrupt-<yyyyMMddTHHmmssZ> (UTC), under its registry lock: "
            + "one line 'MOVED <file> <new path>: <reason>' per file, or OK when none is corrupt (exit 0 either way). "
            + "The hosts or leases a moved file held are no longer known to the registry. "
            + "A file that is JSON but cannot be used (wrong shape, a null entry, too deep) is never moved: "
            + "ERROR RegistryCorruptionException names it and what was moved (exit 2); correct it by hand.")
        {
            json,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var moved = manager.QuarantineCorruptFiles();
            if (parseResult.GetValue(json))
            {
                context.WriteLine(PythonJson.Indented(new SortedJsonObject()
                    .Add("ok", moved.Count == 0)
                    .Add("moved", moved.Select(file => new SortedJsonObject()
                        .Add("file", file.FilePath)
                        .Add("moved_to", file.QuarantinePath)
                        .Add("reason", file.Reason)))
                    .WriteTo));
                return ExitCodes.Success;
            }

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
