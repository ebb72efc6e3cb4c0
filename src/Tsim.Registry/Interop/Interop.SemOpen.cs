using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// sem_open(3). The C function is variadic; on linux-x64 and linux-arm64 calling it with the fixed
    /// four-argument signature passes mode and value in the registers the callee reads.
    /// Returns an invalid handle (SEM_FAILED is NULL in glibc) and sets errno on failure.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sem_open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial SafeSemaphoreHandle SemOpen(string name, int oflag, uint mode, uint value);
}
