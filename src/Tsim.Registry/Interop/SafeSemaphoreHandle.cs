using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

/// <summary>A <c>sem_t*</c> returned by sem_open(3). glibc reports failure with NULL (SEM_FAILED).</summary>
internal sealed class SafeSemaphoreHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Initializes an empty handle; the marshaller of <see cref="Libc.SemOpen"/> fills it in.</summary>
    public SafeSemaphoreHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Closes this process's view of the semaphore (sem_close(3)).</summary>
    protected override bool ReleaseHandle()
    {
        // Only unmaps this process's view. sem_unlink is deliberate and never a side effect of release:
        // other processes may still use the semaphore.
        return Interop.Libc.SemClose(handle) == 0;
    }
}
