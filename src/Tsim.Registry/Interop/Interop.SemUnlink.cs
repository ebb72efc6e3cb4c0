using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    [LibraryImport(Libraries.Libc, EntryPoint = "sem_unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int SemUnlink(string name);
}
