using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// utimensat(2) with both times NULL ("now"): one syscall that touches a file by path, which inotify reports
    /// as IN_ATTRIB, like Python's <c>Path.touch()</c> of an existing file. Opening, touching and closing took three.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "utimensat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int UTimensAt(int dirFd, string path, nint times, int flags);
}
