using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// write(2) at the descriptor's file offset: <see cref="RandomAccess"/> writes at explicit offsets (pwrite(2)),
    /// which is not what an O_APPEND log needs. Call it through <see cref="FileDescriptor.TryWriteAll"/>, which
    /// handles short writes and EINTR.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint Write(SafeFileHandle fd, byte* buffer, nuint count);
}
