using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>unlink(2): removes one name of a file (a symlink itself, never what it points to).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Unlink(string path);

    /// <summary>
    /// unlinkat(2) with a name relative to an open directory. A router's lock file is removed with it on every release
    /// of a registry shared with Python: relative to the lock directory's descriptor, the kernel walks one component
    /// instead of the whole path (about a fifth of the cost of a link and an unlink here).
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "unlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int UnlinkAt(SafeFileHandle directory, string name, int flags);

    /// <summary>linkat(2) with names relative to open directories (see <see cref="UnlinkAt"/>); fails with EEXIST when the new name is taken.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "linkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int LinkAt(SafeFileHandle oldDirectory, string oldName, SafeFileHandle newDirectory, string newName, int flags);
}
