namespace Tsim.Registry.Interop;

/// <summary>errno values used by this library, from &lt;asm-generic/errno-base.h&gt; and &lt;asm-generic/errno.h&gt;.</summary>
internal static class Errno
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int ESRCH = 3;
    internal const int EINTR = 4;
    internal const int EACCES = 13;
    internal const int EAGAIN = 11;
    internal const int EEXIST = 17;
    internal const int EFBIG = 27;
    internal const int EINVAL = 22;
    internal const int ENAMETOOLONG = 36;
    internal const int ELOOP = 40;
    internal const int ETIMEDOUT = 110;
}

/// <summary>Flags of open(2) and sem_open(3), from &lt;asm-generic/fcntl.h&gt; (x86-64 and arm64 agree).</summary>
internal static class OpenFlags
{
    internal const int O_RDONLY = 0x0;
    internal const int O_WRONLY = 0x1;
    internal const int O_RDWR = 0x2;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_TRUNC = 0x200;
    internal const int O_APPEND = 0x400;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int O_CLOEXEC = 0x80000;
}

/// <summary>Clock ids of clock_gettime(2), from &lt;linux/time.h&gt;.</summary>
internal static class ClockIds
{
    internal const int CLOCK_REALTIME = 0;
    internal const int CLOCK_MONOTONIC = 1;
}
