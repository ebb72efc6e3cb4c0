using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

/// <summary>struct statx_timestamp from &lt;linux/stat.h&gt;.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct StatxTimestamp
{
    internal long TvSec;
    internal uint TvNsec;
    private readonly int _reserved;
}

/// <summary>
/// struct statx from &lt;linux/stat.h&gt; (256 bytes). Unlike struct stat its layout is the same on every
/// architecture, which is why it is used for the owner and mode checks.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 256)]
internal struct Statx
{
    internal uint Mask;
    internal uint BlkSize;
    internal ulong Attributes;
    internal uint NLink;
    internal uint Uid;
    internal uint Gid;
    internal ushort Mode;
    private readonly ushort _spare0;
    internal ulong Ino;
    internal ulong Size;
    internal ulong Blocks;
    internal ulong AttributesMask;
    internal StatxTimestamp ATime;
    internal StatxTimestamp BTime;
    internal StatxTimestamp CTime;
    internal StatxTimestamp MTime;
    internal uint RDevMajor;
    internal uint RDevMinor;
    internal uint DevMajor;
    internal uint DevMinor;
}

/// <summary>
/// Constants of statx(2) from &lt;linux/fcntl.h&gt; (the AT_* ones, which utimensat(2) takes too) and
/// &lt;linux/stat.h&gt;.
/// </summary>
internal static class StatxConstants
{
    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const int AT_REMOVEDIR = 0x200;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const uint STATX_BTIME = 0x800;
    internal const uint STATX_BASIC_STATS = 0x7ff;
    internal const int S_IFMT = 0xF000;
    internal const int S_IFIFO = 0x1000;
    internal const int S_IFCHR = 0x2000;
    internal const int S_IFDIR = 0x4000;
    internal const int S_IFBLK = 0x6000;
    internal const int S_IFREG = 0x8000;
    internal const int S_IFLNK = 0xA000;
    internal const int S_IFSOCK = 0xC000;
}

internal static partial class Libc
{
    /// <summary>statx(2) of a path relative to <paramref name="dirFd"/> (<see cref="StatxConstants.AT_FDCWD"/>: the working directory).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Statx(int dirFd, string path, int flags, uint mask, out Statx result);

    /// <summary>statx(2) of an open file (<see cref="StatxConstants.AT_EMPTY_PATH"/> with an empty path).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Statx(SafeFileHandle fd, string path, int flags, uint mask, out Statx result);
}
