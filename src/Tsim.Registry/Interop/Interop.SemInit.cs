using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// sizeof(sem_t) in glibc on 64-bit Linux (x86-64 and arm64): what sem_open(3) writes into a new semaphore file
    /// and maps from an existing one.
    /// </summary>
    internal const int SemaphoreSize = 32;

    /// <summary>
    /// sem_init(3) with <c>pshared</c> set initialises a semaphore exactly as sem_open(3) initialises the contents of a
    /// new semaphore file (value, no waiters, shared futex), so its bytes can be written into a file that becomes a
    /// named semaphore.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sem_init", SetLastError = true)]
    internal static unsafe partial int SemInit(byte* semaphore, int pshared, uint value);
}
