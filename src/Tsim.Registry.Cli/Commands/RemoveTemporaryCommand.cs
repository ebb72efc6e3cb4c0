using System.CommandLine;
using Microsoft.Extensions.Logging;
using Tsim.Registry.Cli.Logging;
using Tsim.Registry.Cli.Rendering;
using Tsim.Registry.Testing;

namespace Tsim.Registry.Cli.Commands;

/// <summary><c>remove-temporary</c>: removes what killed test processes left of their temporary registries.</summary>
internal static class RemoveTemporaryCommand
{
    internal static IEnumerable<Command> Create(CliContext context) => [RemoveTemporary(context)];

    private static Command RemoveTemporary(CliContext context)
    {
        var parent = new Option<string?>("--parent")
        {
            Description = $"Where the temporary registries are (TemporaryRegistryOptions.ParentDirectory); default {TemporaryRegistry.DefaultParentDirectory}.",
        };
        var json = new Option<bool>("--json") { Description = "Print {\"removed\": [paths]} instead of lines." };
        var command = new Command(
            "remove-temporary",
            "Remove the temporary registries (Tsim.Registry.Testing.TemporaryRegistry) of test processes that have exited, "
            + "with their semaphores: one line 'REMOVED <path>' per semaphore file or directory, or OK when nothing was left "
            + $"(exit 0 either way). Only {TemporaryRegistry.PrefixStart}* registries of exited processes of this pid namespace are touched; "
            + "those of another pid namespace stay (their creator cannot be judged from here), and a leftover that cannot be removed "
            + "(another user's) is skipped with a warning on stderr. The registry options (--registry-dir, --prefix, ...) are not used.")
        {
            parent,
            json,
        };
        command.SetAction(parseResult => context.Run(() =>
        {
            // What is left alone (a leftover of another user, say) is a warning on stderr; the rest is still removed.
            var removed = TemporaryRegistry.RemoveLeftovers(parseResult.GetValue(parent), new StderrLogger<TemporaryRegistry>(context.Error, LogLevel.Warning));
            if (parseResult.GetValue(json))
            {
                context.WriteLine(PythonJson.Indented(new SortedJsonObject().Add("removed", removed).WriteTo));
                return ExitCodes.Success;
            }

            foreach (var path in removed)
            {
                context.WriteLine($"REMOVED {path}");
            }

            if (removed.Count == 0)
            {
                context.WriteLine("OK");
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
