using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>sem_trywait(3): decrements without blocking, or fails with EAGAIN.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sem_trywait", SetLastError = true)]
    internal static partial int SemTryWait(SafeSemaphoreHandle sem);
}
