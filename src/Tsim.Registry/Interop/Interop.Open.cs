using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// open(2). The BCL cannot open a directory (needed to fsync it after a rename), nor pass O_APPEND or
    /// O_NOFOLLOW, so this one call is imported directly.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial SafeFileHandle Open(string path, int flags, uint mode);
}

/// <summary>
/// Flags of open(2), from &lt;asm-generic/fcntl.h&gt; (x86-64 and arm64 agree). sem_open(3) takes O_CREAT and O_EXCL
/// from the same header.
/// </summary>
internal static class OpenFlags
{
    /// <summary>Open for reading only.</summary>
    internal const int O_RDONLY = 0x0;

    /// <summary>Open for writing only.</summary>
    internal const int O_WRONLY = 0x1;

    /// <summary>Open for reading and writing.</summary>
    internal const int O_RDWR = 0x2;

    /// <summary>Create the file if it does not exist.</summary>
    internal const int O_CREAT = 0x40;

    /// <summary>With O_CREAT: fail with EEXIST if the name exists, even as a symlink.</summary>
    internal const int O_EXCL = 0x80;

    /// <summary>Truncate an existing regular file to length 0.</summary>
    internal const int O_TRUNC = 0x200;

    /// <summary>Every write goes to the end of the file, atomically with respect to other appenders.</summary>
    internal const int O_APPEND = 0x400;

    /// <summary>
    /// Never block in open(2) or I/O: opening a FIFO for reading returns at once (instead of waiting for a writer), and
    /// for writing fails with ENXIO when nobody reads it. No effect on regular files.
    /// </summary>
    internal const int O_NONBLOCK = 0x800;

    /// <summary>Fail unless the path is a directory.</summary>
    internal const int O_DIRECTORY = 0x10000;

    /// <summary>Fail with ELOOP if the last component of the path is a symlink.</summary>
    internal const int O_NOFOLLOW = 0x20000;

    /// <summary>Close the descriptor in a child process after execve(2).</summary>
    internal const int O_CLOEXEC = 0x80000;
}
