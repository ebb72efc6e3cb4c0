using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>write(2), used for O_APPEND log lines so that each line is one atomic append.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint Write(SafeFileHandle fd, byte* buffer, nuint count);
}
