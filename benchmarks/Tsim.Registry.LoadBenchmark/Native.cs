using System.Runtime.InteropServices;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>
/// The raw libc calls W4's critical section makes, as Python's <c>os.open</c> / <c>open(..., "r+")</c> do: no
/// FileStream, whose advisory <c>flock</c> and <c>lseek</c> would add work the Python side does not do.
/// </summary>
internal static partial class Native
{
    internal const int O_RDWR = 0x2;
    internal const int O_WRONLY = 0x1;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_CLOEXEC = 0x80000;
    internal const int EEXIST = 17;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Unlink(string path);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    internal static unsafe partial nint PWrite(int fd, byte* buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int FTruncate(int fd, long length);

    internal static IOException Error(string what, string path) =>
        new($"{what} {path}: errno {Marshal.GetLastPInvokeError()}");
}
