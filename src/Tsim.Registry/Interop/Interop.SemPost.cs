using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>sem_post(3): increments the semaphore, waking one waiter.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sem_post", SetLastError = true)]
    internal static partial int SemPost(SafeSemaphoreHandle sem);
}
