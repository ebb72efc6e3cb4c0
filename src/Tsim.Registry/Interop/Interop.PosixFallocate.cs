using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// posix_fallocate(3): reserves the blocks of a file range now (growing the file if needed), so that touching a
    /// mapped page later never has to allocate. Returns 0 or an errno value; it does not set errno.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "posix_fallocate")]
    internal static partial int PosixFallocate(SafeFileHandle fd, long offset, long length);
}
