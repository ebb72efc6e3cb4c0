using System.Runtime.InteropServices;
using Tsim.Registry.Interop;

namespace Tsim.Registry.Locking;

/// <summary>
/// Two open file description locks (fcntl(2) F_OFD_SETLK) on the semaphore's own file, beyond the bytes of the sem_t
/// (a lock may cover bytes past the end of a file), which the kernel drops when the last descriptor of the open file
/// closes: when its process dies, at the latest. On the semaphore itself, not on a file of the lock directory, so that
/// every process that can take the semaphore meets them, whatever lock directory it was configured with.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The gate (byte 0, exclusive): held by a process of a registry not shared with Python from before it takes
/// the semaphore until after it posts (<see cref="LockGate"/>).</item>
/// <item>The shared-with-Python mark (byte 1, shared): held by every manager shared with Python that has the semaphore
/// open, from the moment it opens it (before it can take it) until it closes it. Such a manager takes the semaphore
/// without the gate, so while a mark is there a free gate proves nothing.</item>
/// </list>
/// An open file description lock belongs to the open file, not to a thread or process, so two managers of one process
/// exclude each other, while a query through an open file never reports that file's own lock.
/// </remarks>
internal sealed partial class NamedSemaphore
{
    private const long GateByte = 0;
    private const long SharedWithPythonMarkByte = 1;

    /// <summary>Takes the gate without waiting: <see langword="false"/> when another open file of the semaphore has it.</summary>
    /// <exception cref="RegistryException">The kernel refused the lock for another reason (ENOLCK, for instance).</exception>
    internal bool TryLockGate() => SetLock(FcntlCommands.F_WRLCK, GateByte, "take the gate of");

    /// <summary>Releases the gate this instance holds.</summary>
    internal void UnlockGate() => SetLock(FcntlCommands.F_UNLCK, GateByte, "release the gate of");

    /// <summary>Whether another open file of the semaphore (another manager or process) holds the gate right now.</summary>
    internal bool IsGateHeldElsewhere() => IsLockedElsewhere(GateByte);

    /// <summary>Marks this instance as a manager shared with Python's; kept until it is disposed.</summary>
    /// <exception cref="RegistryException">The kernel refused the lock.</exception>
    internal void MarkSharedWithPython()
    {
        if (!SetLock(FcntlCommands.F_RDLCK, SharedWithPythonMarkByte, "mark as shared with Python"))
        {
            // Only an exclusive lock on the mark's byte conflicts, and nobody takes one.
            throw new RegistryException($"Semaphore '{Name}' carries an exclusive lock on its shared-with-Python mark; a process that is not this library holds it. Stop it.");
        }
    }

    /// <summary>Whether a manager shared with Python, other than through this instance, has the semaphore open.</summary>
    internal bool IsMarkedSharedWithPythonElsewhere() => IsLockedElsewhere(SharedWithPythonMarkByte);

    private bool SetLock(short type, long offset, string operation)
    {
        var request = new FileLock { Type = type, Start = offset, Length = 1 };
        if (Interop.Libc.FcntlLock(_file, FcntlCommands.F_OFD_SETLK, ref request) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is Interop.Errno.EAGAIN or Interop.Errno.EACCES ? false : throw Errors.ForSemaphore(errno, Name, operation);
    }

    /// <summary>Asks for the lock that an exclusive request on the byte would conflict with; an error counts as locked.</summary>
    private bool IsLockedElsewhere(long offset)
    {
        var query = new FileLock { Type = FcntlCommands.F_WRLCK, Start = offset, Length = 1 };
        return Interop.Libc.FcntlLock(_file, FcntlCommands.F_OFD_GETLK, ref query) != 0 || query.Type != FcntlCommands.F_UNLCK;
    }
}
