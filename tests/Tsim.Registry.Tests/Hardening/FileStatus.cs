
namespace Tsim.Registry.Tests.Hardening;

/// <summary>Owner, group and mode of a path, read with lstat semantics (a symlink is reported as itself), and chown.</summary>
internal readonly record struct FileStatus(uint Uid, uint Gid, int Mode, bool IsSymlink)
{
    /// <summary>The uid and gid of <c>nobody</c>/<c>nogroup</c>: "another user" in every test.</summary>
    internal const uint Nobody = 65534;

    /// <summary>Permission bits including setuid, setgid and sticky.</summary>
    internal int Permissions => Mode & 0b111_111_111_111;

    internal static FileStatus Of(string path)
    {
        if (Interop.Libc.Statx(Interop.StatxConstants.AT_FDCWD, path, Interop.StatxConstants.AT_SYMLINK_NOFOLLOW, Interop.StatxConstants.STATX_BASIC_STATS, out var stat) != 0)
        {
            throw new IOException($"statx '{path}' failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }

        return new FileStatus(stat.Uid, stat.Gid, stat.Mode, (stat.Mode & Interop.StatxConstants.S_IFMT) == Interop.StatxConstants.S_IFLNK);
    }

    /// <summary>The inode and link count of a path (lstat semantics): which names are hard links of one file.</summary>
    internal static (ulong Inode, uint LinkCount) Links(string path)
    {
        if (Interop.Libc.Statx(Interop.StatxConstants.AT_FDCWD, path, Interop.StatxConstants.AT_SYMLINK_NOFOLLOW, Interop.StatxConstants.STATX_BASIC_STATS, out var stat) != 0)
        {
            throw new IOException($"statx '{path}' failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }

        return (stat.Ino, stat.NLink);
    }

    /// <summary>lchown(2); the tests run as root, so any owner can be given away.</summary>
    internal static void Chown(string path, uint uid, uint gid)
    {
        if (Interop.Libc.LChown(path, uid, gid) != 0)
        {
            throw new IOException($"lchown '{path}' failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    internal static string Octal(int permissions) => Convert.ToString(permissions, 8);
}
