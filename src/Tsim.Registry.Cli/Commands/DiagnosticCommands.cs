using System.CommandLine;
using System.Globalization;

namespace Tsim.Registry.Cli.Commands;

/// <summary><c>sem-value</c>: raw semaphore inspection, the ground truth behind <c>is-locked</c>.</summary>
internal static class DiagnosticCommands
{
    internal static IEnumerable<Command> Create(CliContext context) => [SemaphoreValue(context)];

    private static Command SemaphoreValue(CliContext context)
    {
        var lockName = new Argument<string>("lockname") { Description = "Semaphore name without or with its '/', e.g. tsim-router-r1." };
        var command = new Command(
            "sem-value",
            "Print the value of the named semaphore /LOCKNAME (1 free, 0 held), or MISSING (exit 1). Creates nothing.")
        {
            lockName,
        };

        // No manager: building one would create directories, and this must observe without side effects.
        command.SetAction(parseResult => context.Run(() =>
        {
            var name = "/" + parseResult.GetRequiredValue(lockName).TrimStart('/');
            using var semaphore = NamedSemaphore.TryOpenExisting(name);
            if (semaphore is null)
            {
                context.WriteLine("MISSING");
                return ExitCodes.NegativeOutcome;
            }

            context.WriteLine(semaphore.GetValue().ToString(CultureInfo.InvariantCulture));
            return ExitCodes.Success;
        }));
        return command;
    }
}
