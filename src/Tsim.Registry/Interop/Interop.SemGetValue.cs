using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    [LibraryImport(Libraries.Libc, EntryPoint = "sem_getvalue", SetLastError = true)]
    internal static partial int SemGetValue(SafeSemaphoreHandle sem, out int value);
}
