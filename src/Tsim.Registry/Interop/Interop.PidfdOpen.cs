using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// pidfd_open(2) (glibc 2.36, Linux 5.3): a descriptor for a process that becomes readable when every thread of the
    /// process has exited, which is how a waiter learns the moment a lock's owner is gone. Needs no permission over
    /// the process. Fails with ESRCH when it no longer exists.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "pidfd_open", SetLastError = true)]
    internal static partial SafeFileHandle PidfdOpen(int pid, uint flags);
}
