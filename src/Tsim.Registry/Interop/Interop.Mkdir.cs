using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// mkdir(2). Used instead of <see cref="Directory.CreateDirectory(string)"/> where the caller must know whether this
    /// very call created the directory (EEXIST otherwise), since only a directory it created may have its mode changed.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "mkdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Mkdir(string path, uint mode);
}
