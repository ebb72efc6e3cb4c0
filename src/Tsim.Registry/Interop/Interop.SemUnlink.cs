using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>sem_unlink(3): removes the name; processes that have the semaphore open keep using it.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "sem_unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int SemUnlink(string name);
}
