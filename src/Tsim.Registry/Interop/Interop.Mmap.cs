using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

/// <summary>Flags of mmap(2) from &lt;asm-generic/mman-common.h&gt; (x86-64 and arm64 agree).</summary>
internal static class MmapFlags
{
    internal const int PROT_READ = 0x1;
    internal const int PROT_WRITE = 0x2;
    internal const int MAP_SHARED = 0x01;

    /// <summary>What mmap(2) returns on failure: (void *) -1.</summary>
    internal const nint MAP_FAILED = -1;
}

internal static partial class Libc
{
    /// <summary>
    /// mmap(2). Semaphores are mapped from a file descriptor this process opened and judged itself, instead of by
    /// sem_open(3), so that the object that was checked is the object that is used (NamedSemaphore).
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint Mmap(nint address, nuint length, int protection, int flags, SafeFileHandle fd, long offset);

    /// <summary>munmap(2). Takes the raw pointer: it exists only for <see cref="SafeSemaphoreHandle.ReleaseHandle"/>.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int Munmap(nint address, nuint length);
}
