using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    [LibraryImport(Libraries.Libc, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int FSync(SafeFileHandle fd);
}
