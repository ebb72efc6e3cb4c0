using System.CommandLine;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Cli.Commands;

/// <summary>
/// <c>--pid</c> of <c>lease-acquire</c> and <c>neighbor-acquire</c>: the process a lease belongs to. Without it, the
/// process that ran <c>tsim-registry</c> (its parent: the job script), because this process exits as soon as it has
/// printed the count, and a lease of its own would be stale before the script's next line.
/// </summary>
internal static class LeaseOwnerOption
{
    internal static Option<int?> Create() => new("--pid")
    {
        Description = "The process the lease belongs to: it is stale ('reap') once that process has exited. Default: the "
            + "process that ran tsim-registry (a job script). Must be running and visible here.",
        HelpName = "PID",
    };

    /// <summary>The owner <c>--pid</c> names, or this process's parent.</summary>
    /// <exception cref="ArgumentException">The process <c>--pid</c> names is not running here.</exception>
    /// <exception cref="RegistryException">The parent cannot own the lease (outside this pid namespace, gone), or this /proc is of another pid namespace.</exception>
    internal static LeaseOwner Resolve(ParseResult parseResult, Option<int?> option)
    {
        if (parseResult.GetValue(option) is { } pid)
        {
            return LeaseOwner.FromProcessId(pid);
        }

        return LeaseOwner.FromParentProcess(
            ProcFileSystem.Default,
            ProcessIdentity.ParentPid(),
            "Give the lease's owner with --pid PID (e.g. --pid $$ in a shell script).");
    }
}
