using System.Runtime.InteropServices;

namespace Tsim.Registry;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "sem_post", SetLastError = true)]
        internal static partial int SemPost(SafeSemaphoreHandle sem);
    }
}
