using System.Globalization;
using System.Runtime.InteropServices;

namespace Tsim.Registry.Locking;

/// <summary>
/// The <c>/proc</c> this process judges other processes by, and whether what it reads there can mean what a record
/// says. Two things can make a live process look dead: a <c>/proc</c> mounted for another pid namespace (a container
/// given the host's <c>/proc</c>, <c>unshare --pid</c> without <c>--mount-proc</c>, <c>nsenter --pid</c>), where
/// <c>/proc/PID</c> is another process than our pid PID; and a time namespace, which offsets boot time, and so every
/// start time (field 22 of stat, clock ticks since boot), for each reader in it. The root and the pid probe are
/// parameters so that tests can lay out such a <c>/proc</c> as files; production uses <see cref="Default"/>.
/// </summary>
internal sealed class ProcFileSystem
{
    private readonly string _root;
    private readonly Func<int, bool?> _pidExists;
    private readonly Lazy<string> _pidNamespace;
    private readonly Lazy<bool> _isOfOwnPidNamespace;
    private readonly Lazy<string?> _timeNamespace;
    private readonly Lazy<bool> _isInInitialTimeNamespace;

    /// <param name="root">The directory to read as <c>/proc</c>.</param>
    /// <param name="selfPid">This process's pid in its own pid namespace (getpid).</param>
    /// <param name="pidExists">Asks the kernel whether a pid of our namespace exists (see <see cref="KernelPidExists"/>).</param>
    internal ProcFileSystem(string root, int selfPid, Func<int, bool?> pidExists)
    {
        _root = root;
        SelfPid = selfPid;
        _pidExists = pidExists;

        // What this process is does not change while it runs (a multithreaded process cannot setns into another pid
        // or time namespace), so each is read once.
        _pidNamespace = new(() => ReadLink("self/ns/pid") ?? string.Empty);
        _isOfOwnPidNamespace = new(ReadIsOfOwnPidNamespace);
        _timeNamespace = new(() => ReadLink("self/ns/time"));
        _isInInitialTimeNamespace = new(ReadIsInInitialTimeNamespace);
    }

    /// <summary>Gets the <c>/proc</c> of this process.</summary>
    internal static ProcFileSystem Default { get; } = new("/proc", Environment.ProcessId, KernelPidExists);

    /// <summary>Gets this process's pid in its own pid namespace.</summary>
    internal int SelfPid { get; }

    /// <summary>
    /// Gets <c>pid:[inode]</c> of this process's pid namespace (equal texts mean the same namespace), or an empty
    /// string when it cannot be read. Read through <c>/proc/self</c>, which is this process whatever namespace the
    /// mount is of, as long as the mount can see it at all.
    /// </summary>
    internal string PidNamespace => _pidNamespace.Value;

    /// <summary>
    /// Gets whether pid N in this <c>/proc</c> is the process our pid namespace calls N: <c>NSpid</c> of
    /// <c>/proc/self/status</c> lists our pid in the mount's namespace and in every namespace below it down to ours,
    /// so a mount of our own namespace lists exactly one, our getpid. False for a mount of an ancestor namespace, and
    /// when <c>/proc/self</c> cannot be read (no <c>/proc</c>, or a mount of a namespace that cannot see us).
    /// </summary>
    internal bool IsOfOwnPidNamespace => _isOfOwnPidNamespace.Value;

    /// <summary>Gets whether a pid of this process's namespace can be judged here at all.</summary>
    internal bool CanJudgePids => PidNamespace.Length > 0 && IsOfOwnPidNamespace;

    /// <summary>
    /// Gets <c>time:[inode]</c> of this process's time namespace, or <see langword="null"/> when the kernel has no
    /// time namespaces (before Linux 5.6, or built without them): then every process reads start times alike. A
    /// process can always read its own namespace links, so <see langword="null"/> never means "hidden".
    /// </summary>
    internal string? TimeNamespace => _timeNamespace.Value;

    /// <summary>
    /// Gets whether this process reads start times as the initial time namespace does: its boot time offset is zero
    /// and, where <c>/proc/1/ns/time</c> is readable, it shares that namespace. False when the offsets cannot be read.
    /// </summary>
    internal bool IsInInitialTimeNamespace => _isInInitialTimeNamespace.Value;

    /// <summary>
    /// Asks the kernel whether a pid exists (kill with signal 0), which works where <c>/proc</c> hides other users'
    /// processes and whatever namespace <c>/proc</c> is of: ESRCH means no such process; EPERM means it exists but
    /// belongs to someone else.
    /// </summary>
    internal static bool? KernelPidExists(int pid)
    {
        if (Interop.Libc.Kill(pid, 0) == 0)
        {
            return true;
        }

        return Marshal.GetLastPInvokeError() switch
        {
            Interop.Errno.ESRCH => false,
            Interop.Errno.EPERM => true,
            _ => null,
        };
    }

    /// <summary>Asks the kernel whether a pid of our namespace exists; <see langword="null"/> when it will not say.</summary>
    internal bool? PidExists(int pid) => _pidExists(pid);

    /// <summary>
    /// Reads the state (field 3) and start time (field 22) of a process, or returns <see langword="null"/> when its
    /// stat cannot be read: it does not exist, or <c>/proc</c> hides it (hidepid), or the read failed. Callers must
    /// not take <see langword="null"/> for "dead"; <see cref="OwnerLivenessCheck"/> asks the kernel.
    /// </summary>
    internal (char State, long StartTime)? ReadStat(int pid) => ReadStat(Name(pid));

    /// <summary>Reads this process's own stat: <c>/proc/self</c>, which is this process even in another namespace's mount.</summary>
    internal (char State, long StartTime)? ReadSelfStat() => ReadStat("self");

    /// <summary>
    /// Tells whether a zombie thread-group leader still has live threads: a leader that called pthread_exit shows
    /// state Z while its other threads run on.
    /// </summary>
    internal bool HasLiveThreads(int pid)
    {
        try
        {
            return Directory.GetDirectories(Path.Combine(_root, Name(pid), "task")).Length > 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Tells whether a start time this process reads for <paramref name="pid"/> can be compared with one that process
    /// recorded for itself: both read in one time namespace. The process's own namespace link says so when it is
    /// readable (our own processes; root). When it is not (another user's process), only a reader in the initial
    /// time namespace trusts the comparison, as nearly every process is there.
    /// </summary>
    internal bool StartTimeIsComparable(int pid)
    {
        if (TimeNamespace is null)
        {
            return true;
        }

        return ReadLink($"{Name(pid)}/ns/time") is { } theirs
            ? string.Equals(theirs, TimeNamespace, StringComparison.Ordinal)
            : IsInInitialTimeNamespace;
    }

    private static string Name(int pid) => pid.ToString(CultureInfo.InvariantCulture);

    /// <summary>The whitespace-separated fields of a line of a /proc text file.</summary>
    private static string[] Fields(ReadOnlySpan<char> line) => line.ToString().Split(default(char[]), StringSplitOptions.RemoveEmptyEntries);

    private (char State, long StartTime)? ReadStat(string process)
    {
        if (ReadText($"{process}/stat") is not { } stat)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may itself contain ')' and spaces, so fields are
        // counted from the last ')': after it come field 3 (state) onwards, making starttime the 20th.
        var rest = stat.AsSpan(stat.LastIndexOf(')') + 1).Trim();
        Span<Range> fields = stackalloc Range[21];
        var count = rest.Split(fields, ' ');
        if (count < 20 || rest[fields[0]].Length != 1 ||
            !long.TryParse(rest[fields[19]], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime))
        {
            return null;
        }

        return (rest[fields[0]][0], startTime);
    }

    private bool ReadIsOfOwnPidNamespace()
    {
        if (ReadText("self/status") is not { } status)
        {
            return false;
        }

        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("NSpid:", StringComparison.Ordinal))
            {
                var pids = Fields(line["NSpid:".Length..]);
                return pids.Length == 1 && IsSelf(pids[0]);
            }
        }

        // Kernels before 4.1 have no NSpid: /proc/self names us by the mount's numbering.
        return ReadLink("self") is { } self && IsSelf(self);
    }

    private bool IsSelf(string pid) =>
        int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value == SelfPid;

    private bool ReadIsInInitialTimeNamespace()
    {
        if (TimeNamespace is null)
        {
            return true;
        }

        // timens_offsets shows the namespace our children get: ours only while the two links agree.
        if (!string.Equals(ReadLink("self/ns/time_for_children"), TimeNamespace, StringComparison.Ordinal) ||
            ReadText("self/timens_offsets") is not { } offsets)
        {
            return false;
        }

        // Lines "monotonic 0 0" and "boottime 0 0" (clock, seconds, nanoseconds): start times follow boottime.
        foreach (var line in offsets.AsSpan().EnumerateLines())
        {
            if (Fields(line) is ["boottime", var seconds, var nanoseconds] && (seconds != "0" || nanoseconds != "0"))
            {
                return false;
            }
        }

        // Unreadable (another user's init, or no ptrace rights on it): the offsets above are all we can know.
        return ReadLink("1/ns/time") is not { } init || string.Equals(init, TimeNamespace, StringComparison.Ordinal);
    }

    private string? ReadText(string relativePath)
    {
        try
        {
            return File.ReadAllText(Path.Combine(_root, relativePath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The text of a symbolic link (a namespace's <c>kind:[inode]</c>), or <see langword="null"/> on any error.</summary>
    private string? ReadLink(string relativePath)
    {
        try
        {
            return new FileInfo(Path.Combine(_root, relativePath)).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
