using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>lchown(2), used only to hand a file or semaphore this process created to the configured group.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int LChown(string path, uint owner, uint group);

    /// <summary>fchown(2), to give a new semaphore file the group before it gets its public name.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "fchown", SetLastError = true)]
    internal static partial int FChown(SafeHandle fd, uint owner, uint group);
}
