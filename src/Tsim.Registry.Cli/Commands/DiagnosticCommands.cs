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
            var name = "/" + CheckedLockName(parseResult.GetRequiredValue(lockName));
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

    /// <summary>
    /// A lock name as the library builds them (PREFIX-…): its safe alphabet, and short enough that <c>sem.NAME</c>
    /// fits NAME_MAX. Checked here so that a path such as <c>../x</c> is a usage error, not a failed sem_open.
    /// </summary>
    private static string CheckedLockName(string lockname)
    {
        const int MaxLength = 255 - 4; // NAME_MAX − "sem.".
        var name = lockname.StartsWith('/') ? lockname[1..] : lockname;
        if (name.Length is 0 or > MaxLength || !NameRules.IsSafe(name))
        {
            throw new ArgumentException(
                $"lockname must be 1 to {MaxLength} characters of {NameRules.AlphabetDescription}, optionally after one leading '/' (got '{lockname}').",
                nameof(lockname));
        }

        return name;
    }
}
