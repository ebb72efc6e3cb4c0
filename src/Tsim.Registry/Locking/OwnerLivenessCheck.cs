namespace Tsim.Registry.Locking;

/// <summary>
/// Decides whether the owner named by a record (a lock's owner record or a lease) still runs. Only
/// <see cref="OwnerLiveness.Dead"/> lets anyone recover a lock or reap a lease, so every doubt gives
/// <see cref="OwnerLiveness.Unknown"/>. Each method reads <see cref="ProcFileSystem.Default"/> unless a test passes
/// another <c>/proc</c>.
/// </summary>
internal static class OwnerLivenessCheck
{
    /// <summary>Judges the process a record names by its pid, start time and pid namespace.</summary>
    internal static OwnerLiveness Check(int pid, long startTime, string pidNamespace, ProcFileSystem? proc = null)
    {
        proc ??= ProcFileSystem.Default;
        if (pid <= 0 || !IsOfOurNamespace(pidNamespace, proc))
        {
            return OwnerLiveness.Unknown;
        }

        if (proc.ReadStat(pid) is not { } stat)
        {
            return Unreadable(pid, proc);
        }

        if (stat.StartTime != startTime)
        {
            // The pid was reused by a later process, unless the two start times were read in time namespaces that
            // offset boot time differently: then even the very same process shows another start time.
            return proc.StartTimeIsComparable(pid) ? OwnerLiveness.Dead : OwnerLiveness.Unknown;
        }

        return HasExited(pid, stat.State, proc) ? OwnerLiveness.Dead : OwnerLiveness.Alive;
    }

    /// <summary>Judges the owner an owner record names.</summary>
    internal static OwnerLiveness Check(OwnerRecord record, ProcFileSystem? proc = null) =>
        Check(record.Pid, record.StartTime, record.PidNamespace, proc);

    /// <summary>
    /// Judges the process a lease names. A lease that names a pid namespace is judged only in that namespace, with
    /// or without a start time; one with both is judged like an owner record; the rest (the Python implementation's
    /// bare pid) by <see cref="CheckPidOnly"/>.
    /// </summary>
    internal static OwnerLiveness CheckLease(int pid, long? startTime, string? pidNamespace, ProcFileSystem? proc = null)
    {
        proc ??= ProcFileSystem.Default;
        if (pidNamespace is not null && !IsOfOurNamespace(pidNamespace, proc))
        {
            return OwnerLiveness.Unknown; // Its pid numbers a process of another namespace: it means nothing here.
        }

        return startTime is { } known && pidNamespace is not null
            ? Check(pid, known, pidNamespace, proc)
            : CheckPidOnly(pid, proc);
    }

    /// <summary>
    /// Judges a bare pid (what the Python implementation records), assumed to be of our pid namespace: dead only
    /// when no such process exists or it is a zombie. A reused pid keeps it "alive": the safe direction.
    /// </summary>
    internal static OwnerLiveness CheckPidOnly(int pid, ProcFileSystem? proc = null)
    {
        proc ??= ProcFileSystem.Default;
        if (pid <= 0 || !proc.CanJudgePids)
        {
            return OwnerLiveness.Unknown;
        }

        if (proc.ReadStat(pid) is not { } stat)
        {
            return Unreadable(pid, proc);
        }

        return HasExited(pid, stat.State, proc) ? OwnerLiveness.Dead : OwnerLiveness.Alive;
    }

    /// <summary>
    /// Whether a recorded pid namespace is ours, and pids of ours can be judged here: a <c>/proc</c> of another pid
    /// namespace shows other processes under our pids, whose start times would make live owners look dead.
    /// </summary>
    private static bool IsOfOurNamespace(string pidNamespace, ProcFileSystem proc) =>
        proc.CanJudgePids && string.Equals(pidNamespace, proc.PidNamespace, StringComparison.Ordinal);

    /// <summary>Stat unreadable: gone, or hidden by /proc's hidepid, or a failed read. Only the kernel's ESRCH proves death.</summary>
    private static OwnerLiveness Unreadable(int pid, ProcFileSystem proc) =>
        proc.PidExists(pid) == false ? OwnerLiveness.Dead : OwnerLiveness.Unknown;

    /// <summary>
    /// Z (zombie) and X (dead): killed but not yet reaped by its parent; it will never post. A zombie leader whose
    /// other threads still run is alive.
    /// </summary>
    internal static bool HasExited(int pid, char state, ProcFileSystem proc) => state is 'Z' or 'X' && !proc.HasLiveThreads(pid);
}
