using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// unlink(2): removes one name of a file (a symlink itself, never what it points to). A router's lock file is
    /// removed with it on every release of a registry shared with Python, so it is called directly rather than through
    /// <see cref="File.Delete(string)"/>, which adds a stat on failure and an exception for a missing file.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Unlink(string path);
}
