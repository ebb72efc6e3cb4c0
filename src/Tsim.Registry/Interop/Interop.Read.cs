using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>read(2) into a span; used to reset an eventfd's counter.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(SafeFileHandle fd, byte* buffer, nuint count);

    /// <summary>read(2) into <paramref name="buffer"/>; returns the bytes read, or -1 with errno set.</summary>
    internal static unsafe nint Read(SafeFileHandle fd, Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            return Read(fd, start, (nuint)buffer.Length);
        }
    }
}
