using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Storage;

/// <summary>File operations that never follow a symbolic link planted under a registry file's name.</summary>
internal static class NoFollowFile
{
    /// <summary>
    /// The largest file read whole: 256 MiB. Registry files are small (hosts.json is about 11 MB at 50,000 hosts, written
    /// indented by Python; benchmarks/SCALING.md), and every change rewrites the whole file, so a registry twenty times
    /// that size is already too slow to use; owner records are a few hundred bytes. A bigger file is a mistake or an
    /// attack, and reading it would take as much memory again to parse (and over 2 GiB, more than one array holds).
    /// </summary>
    internal const long MaxReadBytes = 256L * 1024 * 1024;

    /// <summary>Reads a whole file, or returns <see langword="null"/> when it does not exist.</summary>
    /// <exception cref="IOException">The file cannot be read (a symlink under its name is reported as such).</exception>
    /// <exception cref="RegistryException">The file is not a regular file, or is larger than <see cref="MaxReadBytes"/>.</exception>
    internal static byte[]? TryReadAllBytes(string path) => TryReadAllBytesWithIdentity(path).Bytes;

    /// <summary>
    /// Reads a whole file with the identity of the version read (taken from the open file before reading: a change
    /// while reading gives the file another identity, so the pair never vouches for bytes the file no longer holds).
    /// </summary>
    /// <remarks>
    /// Opened with O_NONBLOCK and refused unless it is a regular file: a FIFO under a registry file's name would
    /// otherwise block the open until some process writes to it, for ever. Neither refusal is an I/O error, so neither
    /// is retried.
    /// </remarks>
    /// <returns>Null bytes when the file does not exist; a null identity when it could not be had.</returns>
    /// <exception cref="IOException">The file cannot be read (a symlink under its name is reported as such).</exception>
    /// <exception cref="RegistryException">The file is not a regular file, or is larger than <see cref="MaxReadBytes"/>.</exception>
    internal static (byte[]? Bytes, FileIdentity? Identity) TryReadAllBytesWithIdentity(string path)
    {
        using var handle = Interop.Libc.Open(
            path, Interop.OpenFlags.O_RDONLY | Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_NONBLOCK | Interop.OpenFlags.O_CLOEXEC, 0);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Interop.Errno.ENOENT ? (null, null) : throw Interop.Errors.IOExceptionForPath(errno, path, "read");
        }

        FileIdentity? identity = null;
        long size;
        if (Interop.Libc.Statx(handle, string.Empty, Interop.StatxConstants.AT_EMPTY_PATH, FileIdentity.Mask, out var stat) == 0)
        {
            if ((stat.Mode & Interop.StatxConstants.S_IFMT) != Interop.StatxConstants.S_IFREG)
            {
                throw new RegistryException(
                    $"'{path}' is not a regular file ({Kind(stat.Mode)}), so it is not read. Move it away; the registry writes a regular file in its place.");
            }

            identity = FileIdentity.From(stat);
            size = (long)Math.Min(stat.Size, long.MaxValue);
        }
        else
        {
            // No statx (a seccomp filter of an old container runtime): fstat's size, and O_NONBLOCK keeps a FIFO from hanging.
            size = RandomAccess.GetLength(handle);
        }

        if (size > MaxReadBytes)
        {
            throw new RegistryException(
                $"'{path}' is {size} bytes, more than the {MaxReadBytes} bytes ({MaxReadBytes / (1024 * 1024)} MiB) a registry or owner record file may have; it is not read. "
                + "A registry that large is not one this library can serve; move the file away if it is not a registry file.");
        }

        var buffer = new byte[size];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
            if (read == 0)
            {
                return (buffer[..total], identity); // Shrunk while reading: only an in-place writer does that (owner records).
            }

            total += read;
        }

        return (buffer, identity);
    }

    /// <summary>The file type of a statx mode, for a message.</summary>
    private static string Kind(ushort mode) => (mode & Interop.StatxConstants.S_IFMT) switch
    {
        Interop.StatxConstants.S_IFDIR => "a directory",
        Interop.StatxConstants.S_IFIFO => "a FIFO",
        Interop.StatxConstants.S_IFSOCK => "a socket",
        Interop.StatxConstants.S_IFCHR => "a character device",
        Interop.StatxConstants.S_IFBLK => "a block device",
        var type => FormattableString.Invariant($"file type 0x{type:x}"),
    };

    /// <summary>
    /// Opens (creating if needed) a file for writing without following a symlink. O_NONBLOCK: a FIFO under the name
    /// fails the open (ENXIO) instead of blocking it until a reader comes.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    internal static SafeFileHandle OpenForWrite(string path, int extraFlags, uint createMode)
    {
        var handle = Interop.Libc.Open(
            path,
            Interop.OpenFlags.O_WRONLY | Interop.OpenFlags.O_CREAT | Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_NONBLOCK | Interop.OpenFlags.O_CLOEXEC | extraFlags,
            createMode);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw Interop.Errors.IOExceptionForPath(errno, path, "open");
        }

        return handle;
    }
}
