using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    [LibraryImport(Libraries.Libc, EntryPoint = "sem_post", SetLastError = true)]
    internal static partial int SemPost(SafeSemaphoreHandle sem);
}
