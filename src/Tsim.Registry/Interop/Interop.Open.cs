using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// open(2). The BCL cannot open a directory (needed to fsync it after a rename) nor pass
    /// O_APPEND, so this one call is imported directly.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial SafeFileHandle Open(string path, int flags, uint mode);
}
