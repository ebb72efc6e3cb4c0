using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Storage;

/// <summary>File operations that never follow a symbolic link planted under a registry file's name.</summary>
internal static class NoFollowFile
{
    /// <summary>Reads a whole file, or returns <see langword="null"/> when it does not exist.</summary>
    /// <exception cref="IOException">The file cannot be read (a symlink under its name is reported as such).</exception>
    internal static byte[]? TryReadAllBytes(string path) => TryReadAllBytesWithIdentity(path).Bytes;

    /// <summary>
    /// Reads a whole file with the identity of the version read (taken from the open file before reading: a change
    /// while reading gives the file another identity, so the pair never vouches for bytes the file no longer holds).
    /// </summary>
    /// <returns>Null bytes when the file does not exist; a null identity when it could not be had.</returns>
    /// <exception cref="IOException">The file cannot be read (a symlink under its name is reported as such).</exception>
    internal static (byte[]? Bytes, FileIdentity? Identity) TryReadAllBytesWithIdentity(string path)
    {
        using var handle = Interop.Libc.Open(path, Interop.OpenFlags.O_RDONLY | Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_CLOEXEC, 0);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Interop.Errno.ENOENT ? (null, null) : throw Interop.Errors.IOExceptionForPath(errno, path, "read");
        }

        var identity = FileIdentity.Of(handle);
        var buffer = new byte[identity is { } known ? checked((int)known.Size) : RandomAccess.GetLength(handle)];
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

    /// <summary>Opens (creating if needed) a file for writing without following a symlink.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    internal static SafeFileHandle OpenForWrite(string path, int extraFlags, uint createMode)
    {
        var handle = Interop.Libc.Open(
            path,
            Interop.OpenFlags.O_WRONLY | Interop.OpenFlags.O_CREAT | Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_CLOEXEC | extraFlags,
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
