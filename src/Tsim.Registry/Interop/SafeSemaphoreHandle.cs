using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

/// <summary>
/// A <c>sem_t*</c>: this process's shared mapping of a named semaphore's file (<c>/dev/shm/sem.NAME</c>), the same
/// memory sem_open(3) would map, so that sem_wait, sem_post and the futexes underneath work across processes and with
/// processes that opened it with sem_open.
/// </summary>
internal sealed class SafeSemaphoreHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    internal SafeSemaphoreHandle(nint mapping)
        : base(ownsHandle: true) => SetHandle(mapping);

    /// <summary>Unmaps this process's view of the semaphore.</summary>
    protected override bool ReleaseHandle()
    {
        // Only this process's view. Unlinking is deliberate and never a side effect of release: other processes may
        // still use the semaphore.
        return Libc.Munmap(handle, Libc.SemaphoreSize) == 0;
    }
}
