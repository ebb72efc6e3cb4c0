using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>sem_clockwait(3) (glibc 2.30+): waits until an absolute time on the given clock.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sem_clockwait", SetLastError = true)]
    internal static partial int SemClockWait(SafeSemaphoreHandle sem, int clockId, in Timespec absTimeout);
}
