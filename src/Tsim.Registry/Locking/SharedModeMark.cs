using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Interop;

namespace Tsim.Registry.Locking;

/// <summary>
/// A shared lock on <c>LOCKDIR/.shared-with-python</c> that every manager of a registry shared with Python holds from
/// its first acquisition until its resources close. Such a manager takes semaphores without a gate
/// (<see cref="LockGate"/>); while one is alive, a gated manager cannot conclude from a taken semaphore that its holder
/// died, and recovers only by owner record.
/// </summary>
/// <remarks>
/// Taken before the manager's first semaphore wait, dropped after its last hold (when its resources close), and dropped
/// by the kernel when its process dies. Taken lazily so that a manager that only reads, or only refuses bad input,
/// leaves no file behind.
/// </remarks>
internal sealed class SharedModeMark(LockFiles files) : IDisposable
{
    /// <summary>The mark's file name in the lock directory: hidden, so never taken for a lock.</summary>
    internal const string FileName = ".shared-with-python";

    private readonly Lock _gate = new();
    private SafeFileHandle? _handle;
    private bool _disposed;

    /// <summary>Takes the mark unless this manager has it already. Called before every acquisition's wait.</summary>
    /// <exception cref="RegistryException">The mark file cannot be opened or locked.</exception>
    /// <exception cref="ObjectDisposedException">The manager's resources were closed.</exception>
    internal void EnsureTaken()
    {
        if (Volatile.Read(ref _handle) is not null)
        {
            return;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _handle ??= Take(files);
        }
    }

    /// <summary>Whether a live manager shared with Python other than this one uses the lock directory (or that cannot be judged).</summary>
    internal bool IsTakenByOthers() => Volatile.Read(ref _handle) is { } own ? IsTakenThrough(own) : IsTakenByAnyone(files);

    /// <summary>Whether a live manager shared with Python uses this lock directory; <see langword="true"/> as well when that cannot be judged.</summary>
    internal static bool IsTakenByAnyone(LockFiles files)
    {
        using var handle = Interop.Libc.Open(
            PathIn(files), Interop.OpenFlags.O_RDONLY | Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_NONBLOCK | Interop.OpenFlags.O_CLOEXEC, 0);

        // Never created: no manager shared with Python ever held a lock here. Anything else: cannot judge.
        return handle.IsInvalid ? Marshal.GetLastPInvokeError() != Interop.Errno.ENOENT : IsTakenThrough(handle);
    }

    /// <summary>Drops the mark; called once no semaphore of the manager is held any more.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _handle?.Dispose();
        }
    }

    private static SafeFileHandle Take(LockFiles files)
    {
        var path = PathIn(files);
        var handle = Interop.Libc.Open(
            path,
            Interop.OpenFlags.O_RDWR | Interop.OpenFlags.O_CREAT | Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_NONBLOCK | Interop.OpenFlags.O_CLOEXEC,
            files.Policy.FileModeBits);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw Errors.ForPath(errno, path, "open the shared-with-Python mark");
        }

        var mark = new FileLock { Type = FcntlCommands.F_RDLCK, Length = 1 };
        if (Interop.Libc.FcntlLock(handle, FcntlCommands.F_OFD_SETLK, ref mark) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw Errors.ForPath(errno, path, "lock the shared-with-Python mark");
        }

        files.Policy.ApplyToNewFile(handle);
        return handle;
    }

    private static string PathIn(LockFiles files) => Path.Combine(files.LockDirectory, FileName);

    /// <summary>Asks for the conflicting lock of an exclusive request: any shared mark but one held through this very open file.</summary>
    private static bool IsTakenThrough(SafeFileHandle handle)
    {
        var query = new FileLock { Type = FcntlCommands.F_WRLCK, Length = 1 };
        return Interop.Libc.FcntlLock(handle, FcntlCommands.F_OFD_GETLK, ref query) != 0 || query.Type != FcntlCommands.F_UNLCK;
    }
}
