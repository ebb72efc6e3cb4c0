using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

/// <summary>Operations on a file descriptor opened with <see cref="Libc.Open"/>.</summary>
internal static class FileDescriptor
{
    /// <summary>
    /// Writes every byte with write(2): retries a call interrupted by a signal (EINTR) and continues after a short
    /// write, which a regular file gives when it reaches a size limit or a full file system part way (the next
    /// write then reports the error).
    /// </summary>
    /// <returns>0 when everything was written, or the errno of the write that failed.</returns>
    internal static unsafe int TryWriteAll(SafeFileHandle handle, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            var written = 0;
            while (written < bytes.Length)
            {
                var result = Libc.Write(handle, start + written, (nuint)(bytes.Length - written));
                if (result < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    return errno;
                }

                written += (int)result;
            }
        }

        return 0;
    }

    /// <summary>Writes every byte (see <see cref="TryWriteAll"/>).</summary>
    /// <exception cref="IOException">A write failed; the message names <paramref name="path"/> and the reason.</exception>
    internal static void WriteAll(SafeFileHandle handle, string path, ReadOnlySpan<byte> bytes)
    {
        var errno = TryWriteAll(handle, bytes);
        if (errno != 0)
        {
            throw Errors.IOExceptionForPath(errno, path, "write");
        }
    }
}
