using System.Runtime.InteropServices;

namespace Tsim.Registry.IntegrationTests.TsimHost;

/// <summary>Owner, group and permission bits (setuid, setgid and sticky included) of a path, with lstat semantics.</summary>
internal readonly record struct PathStatus(uint Uid, uint Gid, int Permissions)
{
    internal static PathStatus Of(string path)
    {
        if (Registry.Interop.Libc.Statx(Registry.Interop.StatxConstants.AT_FDCWD, path, Registry.Interop.StatxConstants.AT_SYMLINK_NOFOLLOW, Registry.Interop.StatxConstants.STATX_BASIC_STATS, out var stat) != 0)
        {
            throw new IOException($"statx '{path}' failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return new PathStatus(stat.Uid, stat.Gid, stat.Mode & 0b111_111_111_111);
    }

    /// <summary>Gets the permission bits in octal, as ls and chmod spell them (<c>2775</c>).</summary>
    internal string Octal => Convert.ToString(Permissions, 8);

    public override string ToString() => $"mode {Octal} uid {Uid} gid {Gid}";
}
