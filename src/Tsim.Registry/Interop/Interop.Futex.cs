using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>FUTEX_WAIT, shared between processes (not FUTEX_PRIVATE_FLAG): the word lives in a shared file mapping.</summary>
    private const int FUTEX_WAIT = 0;

    /// <summary>FUTEX_WAKE, shared between processes.</summary>
    private const int FUTEX_WAKE = 1;

    /// <summary>
    /// The futex(2) system call number, which glibc exports no wrapper for: 202 on x86-64, 98 on arm64 (the two
    /// architectures the package ships for).
    /// </summary>
    private static readonly long s_futexSyscall = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        var other => throw new PlatformNotSupportedException($"futex(2) is not wired for {other}."),
    };

    /// <summary>
    /// Sleeps while <paramref name="word"/> holds <paramref name="expected"/>, for at most <paramref name="timeout"/>
    /// (relative, CLOCK_MONOTONIC). Returns 0 when woken; -1 with EAGAIN (the word changed first), ETIMEDOUT or EINTR.
    /// </summary>
    internal static unsafe int FutexWait(int* word, int expected, in Timespec timeout)
    {
        fixed (Timespec* relative = &timeout)
        {
            return (int)Syscall(s_futexSyscall, word, FUTEX_WAIT, expected, relative, null, 0);
        }
    }

    /// <summary>Wakes every process sleeping in <see cref="FutexWait"/> on <paramref name="word"/>.</summary>
    internal static unsafe void FutexWakeAll(int* word) => Syscall(s_futexSyscall, word, FUTEX_WAKE, int.MaxValue, null, null, 0);

    /// <summary>
    /// syscall(2), declared with futex(2)'s six arguments. The C prototype is variadic; on x86-64 and arm64 Linux
    /// integer and pointer arguments of a variadic call travel in the same registers as those of a fixed one.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long Syscall(long number, int* word, int operation, int value, Timespec* timeout, int* word2, int value3);
}
