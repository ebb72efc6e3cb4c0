using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    [LibraryImport(Libraries.Libc, EntryPoint = "clock_gettime", SetLastError = true)]
    internal static partial int ClockGetTime(int clockId, out Timespec now);
}
