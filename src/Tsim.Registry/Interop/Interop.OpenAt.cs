using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// openat(2): opens a name relative to an open directory, so that a directory tree is walked by descriptors, which
    /// a rename or a symlink swapped into a path cannot redirect.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial SafeFileHandle OpenAt(SafeFileHandle directory, string name, int flags, uint mode);
}
