using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace Tsim.Registry.IntegrationTests.Infrastructure;

/// <summary>The namespaces a <see cref="NamespaceFactAttribute"/> test creates with util-linux.</summary>
public enum TestNamespace
{
    /// <summary>A child pid namespace with its own /proc (<c>unshare --pid --fork --mount-proc</c>), entered again with <c>nsenter --pid</c>.</summary>
    Pid,

    /// <summary>A time namespace with a boot time offset (<c>unshare --time --boottime S --fork</c>, Linux 5.6).</summary>
    Time,
}

/// <summary>
/// A fact that creates namespaces: skipped, saying why, where this process may not (not root, no util-linux
/// <c>unshare</c>/<c>nsenter</c>, a kernel or container that refuses). Each kind is probed once by running
/// <c>true</c> in it.
/// </summary>
public sealed class NamespaceFactAttribute : FactAttribute
{
    private static readonly ConcurrentDictionary<TestNamespace, string?> s_skipReasons = new();

    public NamespaceFactAttribute(TestNamespace kind)
    {
        if (s_skipReasons.GetOrAdd(kind, SkipReason) is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>The <c>unshare</c> options that create the namespace, before the command.</summary>
    public static string[] UnshareOptions(TestNamespace kind) => kind switch
    {
        TestNamespace.Pid => ["--pid", "--fork", "--mount-proc"],
        _ => ["--time", "--boottime", "100000", "--fork"],
    };

    private static string? SkipReason(TestNamespace kind)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "needs root: the test creates pid and time namespaces with unshare";
        }

        foreach (var tool in kind == TestNamespace.Pid ? ["unshare", "nsenter"] : (string[])["unshare"])
        {
            if (!Runs(tool, ["--version"]))
            {
                return $"needs util-linux {tool}";
            }
        }

        return Runs("unshare", [.. UnshareOptions(kind), "true"])
            ? null
            : $"unshare {string.Join(' ', UnshareOptions(kind))} is refused here (kernel without the namespace, or a container that forbids it)";
    }

    private static bool Runs(string program, string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null)
            {
                return false;
            }

            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            return process.WaitForExit(30_000) && process.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false; // Not installed.
        }
    }
}
