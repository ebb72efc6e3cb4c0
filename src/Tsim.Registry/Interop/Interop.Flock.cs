using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// flock(2). The BCL takes the same lock for <see cref="FileShare.None"/>, but only on a file it opens by path,
    /// which follows symlinks; the recovery guard is opened with O_NOFOLLOW and locked here.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "flock", SetLastError = true)]
    internal static partial int Flock(SafeFileHandle fd, int operation);
}

/// <summary>Operations of flock(2) from &lt;sys/file.h&gt;.</summary>
internal static class FlockOperations
{
    /// <summary>Exclusive lock.</summary>
    internal const int LOCK_EX = 2;

    /// <summary>Fail with EWOULDBLOCK instead of waiting for a lock someone else holds.</summary>
    internal const int LOCK_NB = 4;
}
