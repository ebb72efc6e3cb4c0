using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// rename(2). File.Move adds an lstat of the source and its own path handling to every registry write; the
    /// atomic replace needs nothing but the system call.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Rename(string oldPath, string newPath);
}
