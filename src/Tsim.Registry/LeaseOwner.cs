using System.Globalization;
using Tsim.Registry.Locking;

namespace Tsim.Registry;

/// <summary>
/// The process a host or neighbour lease belongs to: the lease is live while that process runs and stale once it has
/// exited, when <see cref="RegistryManager.ReapStaleLeases"/> removes it. Recorded with the lease as the pid, the
/// process's start time and the pid namespace the pid is numbered in, so that a later process given the same pid is
/// never taken for the owner.
/// </summary>
/// <remarks>
/// A lease belongs to the process that takes it unless an owner is named. A program that takes leases on behalf of a
/// longer-lived process names it with <see cref="FromProcessId(int)"/>: a command-line tool called from a job script
/// exits at once, and a lease of its own would be stale the moment it is taken (<c>tsim-registry lease-acquire</c>
/// names its parent, or <c>--pid</c>). The start time is read when the owner is created: if that process exits
/// before the lease is taken, the lease is stale from the start, even when its pid has been reused by then.
/// </remarks>
public sealed class LeaseOwner
{
    private LeaseOwner(ProcessIdentity identity) => Identity = identity;

    /// <summary>Gets the owner's process id, numbered in this process's pid namespace.</summary>
    public int ProcessId => Identity.Pid;

    /// <summary>Gets what the lease records: pid, start time and pid namespace.</summary>
    internal ProcessIdentity Identity { get; }

    /// <summary>Gets the calling process as a lease owner: what the lease methods use when no owner is given.</summary>
    /// <returns>The owner for this process.</returns>
    /// <exception cref="RegistryException">This process's start time cannot be read from <c>/proc/self/stat</c>.</exception>
    public static LeaseOwner FromCurrentProcess() => new(ProcessIdentity.Current);

    /// <summary>Names a running process of this pid namespace as a lease owner, reading its start time now.</summary>
    /// <param name="processId">The process id as this process sees it, e.g. a job script's <c>$$</c>.</param>
    /// <returns>The owner for that process.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="processId"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException">
    /// No such process runs where this process can see it: it does not exist, has exited (a zombie), is hidden by
    /// <c>/proc</c>'s <c>hidepid</c>, or is in another time namespace, whose start times this process reads differently
    /// from the processes that will judge the lease.
    /// </exception>
    /// <exception cref="RegistryException">
    /// This process's <c>/proc</c> is of another pid namespace (a container given the host's <c>/proc</c>), so no pid
    /// can be looked up here; or, for this process's own id, its start time cannot be read.
    /// </exception>
    public static LeaseOwner FromProcessId(int processId) => FromProcessId(processId, ProcFileSystem.Default);

    /// <summary>Formats the owner as <c>pid N (start time T, pid:[inode])</c>.</summary>
    /// <returns>The pid, start time and pid namespace.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"pid {Identity.Pid} (start time {Identity.StartTime}, {Identity.PidNamespace})");

    /// <summary><see cref="FromProcessId(int)"/> on a given <c>/proc</c>.</summary>
    internal static LeaseOwner FromProcessId(int processId, ProcFileSystem proc)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(processId);
        if (processId == proc.SelfPid)
        {
            return new(ProcessIdentity.OfSelf(proc));
        }

        ThrowIfPidsCannotBeJudged(proc);
        return Problem(processId, proc, out var identity) is { } problem
            ? throw new ArgumentException(problem, nameof(processId))
            : new(identity!);
    }

    /// <summary>
    /// Names the process that started this one (getppid) as the owner: what <c>tsim-registry</c> does by default, so
    /// that a lease taken from a job script lives as long as the script.
    /// </summary>
    /// <param name="proc">The <c>/proc</c> to read.</param>
    /// <param name="parentPid">getppid: 0 when the parent is outside this pid namespace.</param>
    /// <param name="remedy">What the caller can do instead, appended to a refusal that concerns the parent.</param>
    /// <exception cref="RegistryException">
    /// The parent cannot own the lease: it is outside this pid namespace (getppid is 0), has exited, is hidden, or is
    /// in another time namespace; or this process's <c>/proc</c> is of another pid namespace.
    /// </exception>
    internal static LeaseOwner FromParentProcess(ProcFileSystem proc, int parentPid, string remedy)
    {
        if (parentPid <= 0)
        {
            throw new RegistryException(
                $"The process that started this one is outside its pid namespace (getppid() is 0), so the lease cannot name it as its owner. {remedy}");
        }

        ThrowIfPidsCannotBeJudged(proc);
        return Problem(parentPid, proc, out var identity) is { } problem
            ? throw new RegistryException($"The process that started this one cannot own the lease: {problem} {remedy}")
            : new(identity!);
    }

    private static void ThrowIfPidsCannotBeJudged(ProcFileSystem proc)
    {
        if (!proc.CanJudgePids)
        {
            throw new RegistryException(
                "This process's /proc is not of its own pid namespace (or cannot be read), so no other process can be named as a lease owner here: "
                + "its start time would be another process's. Take the lease from the owning process itself, or mount /proc for this pid namespace.");
        }
    }

    /// <summary>Reads what a lease records of <paramref name="pid"/>, or says why that process cannot own a lease.</summary>
    private static string? Problem(int pid, ProcFileSystem proc, out ProcessIdentity? identity)
    {
        identity = null;
        if (proc.ReadStat(pid) is not { } stat)
        {
            return proc.PidExists(pid) == false
                ? $"No process {pid} exists."
                : $"Process {pid} is not visible in /proc (hidden by hidepid, or the read failed), so its start time cannot be recorded.";
        }

        if (OwnerLivenessCheck.HasExited(pid, stat.State, proc))
        {
            return $"Process {pid} has exited (it is a zombie).";
        }

        if (!proc.StartTimeIsComparable(pid))
        {
            return $"Process {pid} is in another time namespace than this process, so the start time read here would not match the one the processes judging the lease read.";
        }

        identity = new ProcessIdentity(pid, stat.StartTime, proc.PidNamespace);
        return null;
    }
}
