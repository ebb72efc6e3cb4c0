using System.Globalization;

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

    /// <summary>
    /// Gets the identity as a file name carries it, <c>PID-STARTTIME-PIDNSINODE</c>, so that whoever finds the file can
    /// tell whether its creator still runs (<see cref="TryParseFileNameForm"/>, <see cref="HasExited"/>).
    /// </summary>
    internal string FileNameForm =>
        string.Create(CultureInfo.InvariantCulture, $"{Pid}-{StartTime}-{NamespaceInode(PidNamespace)}");

    /// <summary>
    /// Reads <see cref="FileNameForm"/> back; the pid namespace becomes <c>pid:[INODE]</c>, the form
    /// <c>/proc/PID/ns/pid</c> has.
    /// </summary>
    internal static bool TryParseFileNameForm(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ProcessIdentity? identity)
    {
        identity = null;
        var parts = text.Split('-');
        if (parts.Length != 3 ||
            !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ||
            !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime) ||
            parts[2].Length == 0 || !parts[2].All(char.IsAsciiDigit))
        {
            return false;
        }

        identity = new(pid, startTime, $"pid:[{parts[2]}]");
        return true;
    }

    /// <summary>
    /// Tells whether this process has certainly exited. A process of another pid namespace, or one that cannot be
    /// judged, is not taken for dead.
    /// </summary>
    internal bool HasExited(ProcFileSystem? proc = null)
    {
        proc ??= ProcFileSystem.Default;
        return string.Equals(NamespaceInode(PidNamespace), NamespaceInode(proc.PidNamespace), StringComparison.Ordinal) &&
            OwnerLivenessCheck.Check(Pid, StartTime, proc.PidNamespace, proc) == OwnerLiveness.Dead;
    }

    /// <summary>The inode of a pid namespace (<c>pid:[4026531836]</c> gives <c>4026531836</c>): the part a file name can carry.</summary>
    private static string NamespaceInode(string pidNamespace) =>
        new string([.. pidNamespace.Where(char.IsAsciiDigit)]) is { Length: > 0 } digits ? digits : "0";
}
