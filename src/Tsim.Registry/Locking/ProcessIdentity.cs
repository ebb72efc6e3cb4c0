using System.Globalization;

namespace Tsim.Registry.Locking;

/// <summary>
/// Who a process is, in terms that survive pid reuse: the pid, its start time (field 22 of <c>/proc/PID/stat</c>,
/// clock ticks since boot) and the pid namespace the pid belongs to.
/// </summary>
internal sealed record ProcessIdentity(int Pid, long StartTime, string PidNamespace)
{
    private static readonly Lazy<ProcessIdentity> s_current = new(() =>
        new ProcessIdentity(
            Environment.ProcessId,
            // Never record a made-up start time: every other process would judge this one dead and recover its locks.
            ReadStat(Environment.ProcessId)?.StartTime
                ?? throw new RegistryException($"Could not read this process's start time from /proc/{Environment.ProcessId}/stat; owner records need it."),
            ReadPidNamespace()));

    /// <summary>Gets this process's identity, read once.</summary>
    /// <exception cref="RegistryException">This process's start time cannot be read.</exception>
    internal static ProcessIdentity Current => s_current.Value;

    /// <summary>
    /// Reads the state (field 3) and start time (field 22) of a process, or returns <see langword="null"/> when its
    /// stat cannot be read: it does not exist, or /proc hides it (hidepid), or the read failed. Callers must not take
    /// <see langword="null"/> for "dead"; <see cref="OwnerLivenessCheck"/> asks the kernel.
    /// </summary>
    internal static (char State, long StartTime)? ReadStat(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
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

    /// <summary>
    /// Tells whether a pid exists from the kernel itself (kill with signal 0), which works where /proc hides other
    /// users' processes: ESRCH means no such process; EPERM means it exists but belongs to someone else.
    /// </summary>
    internal static bool? PidExists(int pid)
    {
        if (Interop.Libc.Kill(pid, 0) == 0)
        {
            return true;
        }

        return System.Runtime.InteropServices.Marshal.GetLastPInvokeError() switch
        {
            Interop.Errno.ESRCH => false,
            Interop.Errno.EPERM => true,
            _ => null,
        };
    }

    /// <summary>
    /// Tells whether a zombie thread-group leader still has live threads: a leader that called pthread_exit shows
    /// state Z while its other threads run on.
    /// </summary>
    internal static bool HasLiveThreads(int pid)
    {
        try
        {
            return Directory.GetDirectories($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task").Length > 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string ReadPidNamespace()
    {
        try
        {
            // A symlink whose text is "pid:[inode]": equal texts mean the same namespace.
            return new FileInfo("/proc/self/ns/pid").LinkTarget ?? string.Empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
