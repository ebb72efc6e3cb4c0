using System.Globalization;

namespace Tsim.Registry;

/// <summary>
/// Who this process is, in terms that survive pid reuse: the pid, its start time (field 22 of
/// <c>/proc/PID/stat</c>, clock ticks since boot) and the pid namespace the pid belongs to.
/// </summary>
internal sealed record ProcessIdentity(int Pid, long StartTime, string PidNamespace)
{
    private static readonly Lazy<ProcessIdentity> s_current = new(() =>
        new ProcessIdentity(Environment.ProcessId, ReadStartTime(Environment.ProcessId) ?? 0, ReadPidNamespace()));

    internal static ProcessIdentity Current => s_current.Value;

    /// <summary>Reads the start time of a process, or returns <see langword="null"/> when it does not exist.</summary>
    internal static long? ReadStartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            // FileNotFound/DirectoryNotFound: the process is gone (or exited while we read).
            return null;
        }

        // The command name (field 2) is in parentheses and may itself contain ')' and spaces, so fields are
        // counted from the last ')': after it come field 3 (state) onwards, making starttime the 20th.
        var rest = stat.AsSpan(stat.LastIndexOf(')') + 1);
        Span<Range> fields = stackalloc Range[22];
        var count = rest.Trim().Split(fields, ' ');
        return count >= 20 && long.TryParse(rest.Trim()[fields[19]], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? ticks
            : null;
    }

    private static string ReadPidNamespace()
    {
        try
        {
            // A symlink whose text is "pid:[inode]": equal texts mean the same namespace.
            return new FileInfo("/proc/self/ns/pid").LinkTarget ?? string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
