using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

/// <summary>errno values used by this library, from &lt;asm-generic/errno-base.h&gt; and &lt;asm-generic/errno.h&gt;.</summary>
internal static class Errno
{
    /// <summary>Operation not permitted.</summary>
    internal const int EPERM = 1;

    /// <summary>No such file or directory.</summary>
    internal const int ENOENT = 2;

    /// <summary>No such process.</summary>
    internal const int ESRCH = 3;

    /// <summary>Interrupted system call: a signal arrived before the call completed.</summary>
    internal const int EINTR = 4;

    /// <summary>Resource temporarily unavailable (sem_trywait(3) on a semaphore at 0).</summary>
    internal const int EAGAIN = 11;

    /// <summary>Permission denied.</summary>
    internal const int EACCES = 13;

    /// <summary>Not a directory; what open(2) with O_DIRECTORY reports for a file.</summary>
    internal const int ENOTDIR = 20;

    /// <summary>File exists (O_CREAT | O_EXCL).</summary>
    internal const int EEXIST = 17;

    /// <summary>Invalid argument.</summary>
    internal const int EINVAL = 22;

    /// <summary>Directory not empty; what rename(2) reports for a non-empty directory in the way.</summary>
    internal const int ENOTEMPTY = 39;

    /// <summary>File too large: RLIMIT_FSIZE or a quota was reached.</summary>
    internal const int EFBIG = 27;

    /// <summary>File name too long.</summary>
    internal const int ENAMETOOLONG = 36;

    /// <summary>Too many levels of symbolic links; what open(2) with O_NOFOLLOW reports for a symlink.</summary>
    internal const int ELOOP = 40;

    /// <summary>Connection timed out; what sem_clockwait(3) reports when its deadline passes.</summary>
    internal const int ETIMEDOUT = 110;
}

/// <summary>
/// Turns an errno into the exception callers see, naming the semaphore or path involved: the one place where errno
/// values become messages. Callers read errno with <see cref="Marshal.GetLastPInvokeError"/> right after the failed
/// call, before anything else can overwrite it, and pass it here.
/// </summary>
internal static class Errors
{
    /// <summary>Describes a failed semaphore call, with a hint for the errors an operator can fix.</summary>
    /// <param name="errno">The errno of the failed call.</param>
    /// <param name="semaphoreName">The semaphore's name, with its leading '/'.</param>
    /// <param name="operation">What was attempted, as a verb phrase ("create", "wait on").</param>
    internal static RegistryException ForSemaphore(int errno, string semaphoreName, string operation)
    {
        var hint = errno switch
        {
            Errno.EACCES or Errno.EPERM =>
                $" The semaphore belongs to another user or has a narrower mode; check {SemaphoreFiles.PathOf(semaphoreName)}.",
            Errno.ENAMETOOLONG or Errno.EINVAL => " The semaphore name is not valid.",
            _ => string.Empty,
        };
        return new RegistryException($"Could not {operation} semaphore '{semaphoreName}': {Reason(errno)}.{hint}");
    }

    /// <summary>Describes a failed file call where the caller surfaces the error as it is.</summary>
    /// <param name="errno">The errno of the failed call.</param>
    /// <param name="path">The file or directory the call was made on.</param>
    /// <param name="operation">What was attempted, as a verb phrase ("inspect", "write the owner record").</param>
    internal static RegistryException ForPath(int errno, string path, string operation) => new(PathMessage(errno, path, operation));

    /// <summary>
    /// Describes a failed file call as an <see cref="IOException"/>: registry file I/O retries I/O errors and reports
    /// the last one, so its helpers must fail with this type.
    /// </summary>
    /// <param name="errno">The errno of the failed call.</param>
    /// <param name="path">The file or directory the call was made on.</param>
    /// <param name="operation">What was attempted, as a verb phrase ("read", "write").</param>
    internal static IOException IOExceptionForPath(int errno, string path, string operation) => new(PathMessage(errno, path, operation));

    /// <summary>
    /// Gets the reason an errno stands for, with its number (which is what a search or a man page needs). EFBIG gets
    /// its likely cause: strerror's "File too large" reads as if the data were too big, when a size limit or quota
    /// was reached.
    /// </summary>
    internal static string Reason(int errno) => errno == Errno.EFBIG
        ? "File too large (EFBIG: a file size limit or quota was reached)"
        : $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    private static string PathMessage(int errno, string path, string operation) => errno == Errno.ELOOP
        // Registry files are opened with O_NOFOLLOW, for which ELOOP means "a symlink sits under this name"; strerror's
        // "Too many levels of symbolic links" would hide that someone planted it.
        ? $"Could not {operation}: '{path}' is a symbolic link; registry files are never opened through links."
        : $"Could not {operation} '{path}': {Reason(errno)}.";
}
