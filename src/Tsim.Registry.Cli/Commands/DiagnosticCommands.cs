using System.CommandLine;
using System.Globalization;
using Tsim.Registry.Locking;

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
            using var semaphore = NamedSemaphore.TryOpenExisting(CheckedSemaphoreName(parseResult.GetRequiredValue(lockName)));
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

    /// <summary>
    /// The semaphore of a lock name of any prefix (<see cref="LockName.TryParseSemaphoreName"/>). Checked here so that a
    /// path such as <c>../x</c> is a usage error, not a failed sem_open.
    /// </summary>
    private static string CheckedSemaphoreName(string lockname) =>
        LockName.TryParseSemaphoreName(lockname, out var semaphoreName)
            ? semaphoreName
            : throw new ArgumentException(
                $"lockname must be 1 to {Interop.SemaphoreFiles.MaxNameLength} characters of {NameRules.AlphabetDescription}, optionally after one leading '/' (got '{lockname}').",
                nameof(lockname));
}
