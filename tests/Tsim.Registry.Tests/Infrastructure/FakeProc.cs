using System.Globalization;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Tests.Infrastructure;

/// <summary>
/// A <c>/proc</c> laid out as files in a temp directory, for <see cref="ProcFileSystem"/>: processes (stat, status,
/// namespace links, threads), <c>self</c> as a link to this process's directory, and what the kernel's kill(pid, 0)
/// answers. Starts as a plain host: one pid namespace, one time namespace, no offsets, and a <c>/proc</c> of our own
/// pid namespace (NSpid lists only our pid), unless a mount pid is given: then the <c>/proc</c> is of an ancestor
/// namespace that numbers this process differently.
/// </summary>
internal sealed class FakeProc : IDisposable
{
    internal const string OurPidNamespace = "pid:[4026531836]";
    internal const string OurTimeNamespace = "time:[4026531834]";
    internal const string OtherTimeNamespace = "time:[4026532178]";

    /// <summary>What kill(pid, 0) says of each pid: true exists, false ESRCH, null any other error; unlisted pids are ESRCH.</summary>
    private readonly Dictionary<int, bool?> _kernel = [];

    /// <param name="selfPid">This process's pid in its own namespace (getpid).</param>
    /// <param name="selfStartTime">This process's start time.</param>
    /// <param name="mountPid">This process's pid in the mount's namespace, when that is an ancestor of ours.</param>
    internal FakeProc(int selfPid = 100, long selfStartTime = 5000, int? mountPid = null)
    {
        Root = Path.Combine(Path.GetTempPath(), $"tsim-fake-proc-{Guid.NewGuid():N}");
        SelfPid = selfPid;
        SelfDirectoryPid = mountPid ?? selfPid;
        AddProcess(SelfDirectoryPid, selfStartTime);
        File.CreateSymbolicLink(Path.Combine(Root, "self"), Name(SelfDirectoryPid));
        File.WriteAllText(Path.Combine(Root, Name(SelfDirectoryPid), "timens_offsets"), "monotonic           0         0\nboottime            0         0\n");
        SetNsPid(mountPid is { } outer ? [outer, selfPid] : [selfPid]);
    }

    internal string Root { get; }

    internal int SelfPid { get; }

    /// <summary>Gets the directory name <c>self</c> links to: our pid in the mount's numbering.</summary>
    internal int SelfDirectoryPid { get; }

    /// <summary>Adds a process directory; a <see langword="null"/> time namespace leaves its link out (unreadable: another user's).</summary>
    internal void AddProcess(int pid, long startTime, char state = 'S', string? timeNamespace = OurTimeNamespace, int threads = 1)
    {
        var directory = Directory.CreateDirectory(Path.Combine(Root, Name(pid))).FullName;
        var fields = string.Join(' ', [state.ToString(), .. Enumerable.Repeat("0", 18), Name(startTime), "0", "0"]);
        File.WriteAllText(Path.Combine(directory, "stat"), $"{Name(pid)} (fake (proc)) {fields}\n");
        Directory.CreateDirectory(Path.Combine(directory, "ns"));
        Link(pid, "ns/pid", OurPidNamespace);
        if (timeNamespace is not null)
        {
            Link(pid, "ns/time", timeNamespace);
            Link(pid, "ns/time_for_children", timeNamespace);
        }

        for (var thread = 0; thread < threads; thread++)
        {
            Directory.CreateDirectory(Path.Combine(directory, "task", Name(pid + thread)));
        }

        _kernel[pid] = true;
    }

    /// <summary>Removes a process's directory; the kernel says <paramref name="kernelSays"/> of its pid.</summary>
    internal void RemoveProcess(int pid, bool? kernelSays = false)
    {
        Directory.Delete(Path.Combine(Root, Name(pid)), recursive: true);
        _kernel[pid] = kernelSays;
    }

    /// <summary>The NSpid line of our status: one pid for a <c>/proc</c> of our namespace, the mount's pid first otherwise.</summary>
    internal void SetNsPid(params int[] pids) =>
        File.WriteAllText(
            Path.Combine(Root, Name(SelfDirectoryPid), "status"),
            $"Name:\tfake\nPid:\t{Name(pids[0])}\nNSpid:\t{string.Join('\t', pids.Select(p => Name(p)))}\n");

    /// <summary>Replaces a namespace link of a process, e.g. <c>ns/time</c>.</summary>
    internal void Link(int pid, string relativePath, string target)
    {
        var path = Path.Combine(Root, Name(pid), relativePath);
        File.Delete(path);
        File.CreateSymbolicLink(path, target);
    }

    /// <summary>Removes a link, as a kernel without that namespace kind (or another user's process) shows it.</summary>
    internal void Unlink(int pid, string relativePath) => File.Delete(Path.Combine(Root, Name(pid), relativePath));

    /// <summary>The boot time offset of our time namespace.</summary>
    internal void SetBoottimeOffset(long seconds) =>
        File.WriteAllText(
            Path.Combine(Root, Name(SelfDirectoryPid), "timens_offsets"),
            $"monotonic           0         0\nboottime   {Name(seconds),10}         0\n");

    internal ProcFileSystem Create() => new(Root, SelfPid, pid => _kernel.TryGetValue(pid, out var exists) ? exists : false);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static string Name(long value) => value.ToString(CultureInfo.InvariantCulture);
}
