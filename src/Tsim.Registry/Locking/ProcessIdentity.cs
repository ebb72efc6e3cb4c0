using System.Globalization;

namespace Tsim.Registry;

/// <summary>
/// Who a process is, in terms that survive pid reuse: the pid, its start time (field 22 of <c>/proc/PID/stat</c>,
/// clock ticks since boot) and the pid namespace the pid belongs to.
/// </summary>
internal sealed record ProcessIdentity(int Pid, long StartTime, string PidNamespace)
{
    private static readonly Lazy<ProcessIdentity> s_current = new(() =>
        new ProcessIdentity(Environment.ProcessId, ReadStat(Environment.ProcessId)?.StartTime ?? 0, ReadPidNamespace()));

    internal static ProcessIdentity Current => s_current.Value;

    /// <summary>
    /// Reads the state (field 3) and start time (field 22) of a process, or returns <see langword="null"/> when it
    /// does not exist.
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
            // FileNotFound/DirectoryNotFound: the process is gone, or exited while we read.
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
