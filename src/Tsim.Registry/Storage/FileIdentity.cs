using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Storage;

/// <summary>
/// Which file a path names and which version of it: device, inode, size, and modification, change and birth times
/// as statx(2) reports them. Every writer of the registry replaces a file by renaming a new one over it, which gives
/// it a new inode; anything that rewrites a file in place changes its size or its times. So an unchanged identity
/// means unchanged content, which lets a lock holder skip reading and parsing a file it wrote itself.
/// </summary>
internal readonly record struct FileIdentity(
    ulong Device,
    ulong Inode,
    ulong Size,
    long ModifiedSeconds,
    uint ModifiedNanoseconds,
    long ChangedSeconds,
    uint ChangedNanoseconds,
    long BornSeconds,
    uint BornNanoseconds)
{
    /// <summary>What statx(2) must report for an identity: type, size and times, and the birth time where the file system has one.</summary>
    internal const uint Mask = Interop.StatxConstants.STATX_BASIC_STATS | Interop.StatxConstants.STATX_BTIME;

    /// <summary>The identity of the file at <paramref name="path"/> (not following a symlink), or <see langword="null"/> when it cannot be had.</summary>
    internal static FileIdentity? Of(string path) =>
        Interop.Libc.Statx(Interop.StatxConstants.AT_FDCWD, path, Interop.StatxConstants.AT_SYMLINK_NOFOLLOW, Mask, out var stat) == 0
            ? From(stat)
            : null;

    /// <summary>The identity of an open file, or <see langword="null"/> when it cannot be had.</summary>
    internal static FileIdentity? Of(SafeFileHandle handle) =>
        Interop.Libc.Statx(handle, string.Empty, Interop.StatxConstants.AT_EMPTY_PATH, Mask, out var stat) == 0
            ? From(stat)
            : null;

    /// <summary>The identity statx(2) reported (with <see cref="Mask"/>), or <see langword="null"/> for anything but a regular file.</summary>
    internal static FileIdentity? From(in Interop.Statx stat)
    {
        if ((stat.Mode & Interop.StatxConstants.S_IFMT) != Interop.StatxConstants.S_IFREG)
        {
            return null; // Only a regular file has content worth caching; anything else is read and judged as usual.
        }

        // A file system without birth times leaves the field zero, which still compares correctly.
        var born = (stat.Mask & Interop.StatxConstants.STATX_BTIME) != 0 ? stat.BTime : default;
        return new FileIdentity(
            ((ulong)stat.DevMajor << 32) | stat.DevMinor,
            stat.Ino,
            stat.Size,
            stat.MTime.TvSec,
            stat.MTime.TvNsec,
            stat.CTime.TvSec,
            stat.CTime.TvNsec,
            born.TvSec,
            born.TvNsec);
    }
}
