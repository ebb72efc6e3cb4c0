using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

/// <summary>struct pollfd from &lt;poll.h&gt; (the same layout on every architecture, unlike struct epoll_event).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    internal int Fd;
    internal short Events;
    internal short ReturnedEvents;
}

internal static partial class Libc
{
    /// <summary>Data to read; for a pidfd: the process has exited.</summary>
    internal const short POLLIN = 0x1;

    /// <summary>poll(2) with an infinite timeout (-1) waits until one of the descriptors is ready.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
    internal static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    /// <summary>eventfd(2) flag: close on exec.</summary>
    internal const int EFD_CLOEXEC = 0x80000;

    /// <summary>eventfd(2) flag: reads and writes never block.</summary>
    internal const int EFD_NONBLOCK = 0x800;

    /// <summary>eventfd(2): a counter to wake a thread blocked in poll(2) from another thread.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial Microsoft.Win32.SafeHandles.SafeFileHandle EventFd(uint initialValue, int flags);
}
