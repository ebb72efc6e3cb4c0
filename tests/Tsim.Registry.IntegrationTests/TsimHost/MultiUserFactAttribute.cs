namespace Tsim.Registry.IntegrationTests.TsimHost;

/// <summary>
/// A test that runs processes as other uids (<see cref="TsimHostSandbox.TsimUid"/>, <see cref="TsimHostSandbox.MemberUid"/>)
/// through <c>setpriv</c>: skipped, with the reason, unless this process is root, <c>setpriv</c> and
/// <c>/usr/bin/python3</c> exist, and the temp directory can be entered by other users. xunit 2 has no dynamic skip, so
/// the attribute decides when the tests are discovered.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class MultiUserFactAttribute : FactAttribute
{
    private static readonly string[] s_setprivPaths = ["/usr/bin/setpriv", "/bin/setpriv"];

    public MultiUserFactAttribute()
    {
        if (SkipReason() is { } reason)
        {
            Skip = reason;
        }
    }

    private static string? SkipReason()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "needs root: the test runs tsim and the C# side as other uids with setpriv";
        }

        if (!s_setprivPaths.Any(File.Exists))
        {
            return "needs setpriv (util-linux) to run processes as other uids";
        }

        if (!File.Exists("/usr/bin/python3"))
        {
            return "needs /usr/bin/python3, a Python other uids can run";
        }

        return Unreachable(Path.GetTempPath(), "the temp directory") ?? Unreachable(AppContext.BaseDirectory, "the test output (CLI, Python drivers)");
    }

    private static string? Unreachable(string path, string what)
    {
        for (var directory = new DirectoryInfo(path); directory is not null; directory = directory.Parent)
        {
            if ((directory.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return $"{what} is in {directory.FullName}, which other uids cannot enter";
            }
        }

        return null;
    }
}
