using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

/// <summary>A <c>sem_t*</c> returned by sem_open(3). glibc reports failure with NULL (SEM_FAILED).</summary>
internal sealed class SafeSemaphoreHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeSemaphoreHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        // Only unmaps this process's view. sem_unlink is deliberate and never a side effect of release:
        // other processes may still use the semaphore.
        return Interop.Libc.SemClose(handle) == 0;
    }
}
