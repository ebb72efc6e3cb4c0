using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>sem_close(3). Takes the raw pointer: it exists only for <see cref="SafeSemaphoreHandle.ReleaseHandle"/>.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sem_close", SetLastError = true)]
    internal static partial int SemClose(nint sem);
}
