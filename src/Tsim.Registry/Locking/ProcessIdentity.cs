namespace Tsim.Registry.Locking;

/// <summary>
/// Who a process is, in terms that survive pid reuse: the pid, its start time (field 22 of <c>/proc/PID/stat</c>,
/// clock ticks since boot) and the pid namespace the pid belongs to (the namespace whose numbering
/// <see cref="Pid"/> is in, which for a process of a child namespace is the recorder's, not the child's own).
/// </summary>
internal sealed record ProcessIdentity(int Pid, long StartTime, string PidNamespace)
{
    private static readonly Lazy<ProcessIdentity> s_current = new(() => OfSelf(ProcFileSystem.Default));

    /// <summary>Gets this process's identity, read once.</summary>
    /// <exception cref="RegistryException">This process's start time cannot be read.</exception>
    internal static ProcessIdentity Current => s_current.Value;

    /// <summary>
    /// Reads this process's identity from <paramref name="proc"/>: getpid, and the start time of
    /// <c>/proc/self/stat</c>, which is this process even in a <c>/proc</c> of another pid namespace, where
    /// <c>/proc/GETPID</c> would be another process and its start time would make every judge take us for dead.
    /// </summary>
    /// <exception cref="RegistryException">The start time cannot be read.</exception>
    internal static ProcessIdentity OfSelf(ProcFileSystem proc) =>
        new(
            proc.SelfPid,
            // Never record a made-up start time: every other process would judge this one dead and recover its locks.
            proc.ReadSelfStat()?.StartTime
                ?? throw new RegistryException($"Could not read this process's start time from /proc/self/stat (pid {proc.SelfPid}); owner records need it."),
            proc.PidNamespace);

    /// <summary>Gets the pid of the process that started this one, or 0 when that process is outside our pid namespace.</summary>
    internal static int ParentPid() => Interop.Libc.GetPPid();
}
