using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>sem_getvalue(3): glibc reports 0, never a negative count, while processes wait.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sem_getvalue", SetLastError = true)]
    internal static partial int SemGetValue(SafeSemaphoreHandle sem, out int value);
}
