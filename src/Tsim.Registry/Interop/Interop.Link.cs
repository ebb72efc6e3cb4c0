using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// link(2): gives a fully prepared file its public name atomically, failing with EEXIST when the name is taken
    /// (how sem_open(3) itself publishes a new semaphore).
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Link(string oldPath, string newPath);

    /// <summary>renameat2(2) flag: fail with EEXIST instead of replacing an existing target.</summary>
    internal const uint RENAME_NOREPLACE = 1;

    /// <summary>
    /// renameat2(2), used with <see cref="RENAME_NOREPLACE"/> to put a prepared directory in place only if nobody else
    /// did first (rename(2) would replace an empty directory). Fails with EINVAL on file systems without the flag.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);
}
