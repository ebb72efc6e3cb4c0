using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

/// <summary>struct flock from &lt;fcntl.h&gt; on 64-bit Linux (32 bytes with padding).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FileLock
{
    /// <summary>l_type: <see cref="FcntlCommands.F_RDLCK"/>, <see cref="FcntlCommands.F_WRLCK"/> or <see cref="FcntlCommands.F_UNLCK"/>.</summary>
    internal short Type;

    /// <summary>l_whence: SEEK_SET (0) for the absolute offsets used here.</summary>
    internal short Whence;

    /// <summary>l_start: the first byte of the range.</summary>
    internal long Start;

    /// <summary>l_len: the number of bytes in the range.</summary>
    internal long Length;

    /// <summary>l_pid: must be 0 for open file description locks; F_OFD_GETLK reports -1 for them.</summary>
    internal int Pid;
}

/// <summary>fcntl(2) commands and lock types for open file description (OFD) locks, Linux 3.15+.</summary>
internal static class FcntlCommands
{
    /// <summary>Reports the first lock that would conflict with the one described, or sets its type to F_UNLCK.</summary>
    internal const int F_OFD_GETLK = 36;

    /// <summary>Takes or releases a lock without waiting: EAGAIN when another open file description holds a conflicting one.</summary>
    internal const int F_OFD_SETLK = 37;

    /// <summary>A shared (read) lock.</summary>
    internal const short F_RDLCK = 0;

    /// <summary>An exclusive (write) lock.</summary>
    internal const short F_WRLCK = 1;

    /// <summary>No lock: releases a range, or (F_OFD_GETLK) reports that nothing conflicts.</summary>
    internal const short F_UNLCK = 2;
}

internal static partial class Libc
{
    /// <summary>
    /// fcntl(2) with a struct flock argument. Open file description locks belong to the open file, not to the process
    /// or thread (unlike classic POSIX record locks, which every close(2) of the file in the process drops), and the
    /// kernel releases them when the last descriptor of that open file closes: when its process dies, at the latest.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int FcntlLock(SafeFileHandle fd, int command, ref FileLock fileLock);
}
