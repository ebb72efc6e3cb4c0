using System.Runtime.InteropServices;
using Tsim.Registry.Interop;

namespace Tsim.Registry.Locking;

/// <summary>
/// The gate of a lock in a registry not shared with Python (<see cref="LockGate"/>): an exclusive open file
/// description lock on the slot file's first byte, which the kernel releases when its holder dies, and a futex word in
/// the slot's header that a releaser bumps to wake processes waiting for the gate.
/// </summary>
/// <remarks>
/// The gate word (offset 12 of the header): bit 0 says that someone sleeps on the word, the other bits count gate
/// releases. A waiter sets bit 0, tries the lock once more, then sleeps while the word is unchanged; a releaser
/// unlocks, then bumps the count and clears bit 0, and wakes the sleepers only if bit 0 was set, so an uncontended
/// release makes no futex call. A waiter that set its bit after the bump finds the lock already free on its second
/// try: no wake-up is lost.
/// </remarks>
internal sealed unsafe partial class OwnerRecordSlot
{
    private const int GateWordOffset = 12;
    private const int WaitersBit = 1;

    private int* GateWord => (int*)(_start + GateWordOffset);

    /// <summary>Takes the gate lock without waiting: <see langword="false"/> when another open file has it.</summary>
    /// <exception cref="RegistryException">The kernel refused the lock for another reason (ENOLCK, for instance).</exception>
    internal bool TryLockGate() => SetGateLock(FcntlCommands.F_WRLCK);

    /// <summary>Releases the gate lock this open file holds, then wakes the processes waiting for it.</summary>
    internal void UnlockGate()
    {
        SetGateLock(FcntlCommands.F_UNLCK);
        WakeGateWaiters();
    }

    /// <summary>Whether another open file (another manager, or another process) holds the gate lock right now.</summary>
    internal bool IsGateLockedElsewhere()
    {
        var query = new FileLock { Type = FcntlCommands.F_WRLCK, Length = 1 };
        if (Interop.Libc.FcntlLock(_handle, FcntlCommands.F_OFD_GETLK, ref query) != 0)
        {
            throw Errors.ForPath(Marshal.GetLastPInvokeError(), _path, "inspect the lock gate of");
        }

        return query.Type != FcntlCommands.F_UNLCK;
    }

    /// <summary>
    /// Announces a waiter on the gate word and returns the value to sleep on. The caller tries the lock once more
    /// before it sleeps (<see cref="WaitForGateRelease"/>).
    /// </summary>
    internal int AnnounceGateWaiter()
    {
        using var mapping = Pin();
        while (true)
        {
            var word = Volatile.Read(ref *GateWord);
            if ((word & WaitersBit) != 0 || Interlocked.CompareExchange(ref *GateWord, word | WaitersBit, word) == word)
            {
                return word | WaitersBit;
            }
        }
    }

    /// <summary>Sleeps until a gate release or recovery changes the gate word from <paramref name="announced"/>, or for at most <paramref name="timeout"/>.</summary>
    /// <returns><see langword="false"/> when the time ran out without a change.</returns>
    internal bool WaitForGateRelease(int announced, TimeSpan timeout)
    {
        var ticks = Math.Max(0, timeout.Ticks);
        var relative = new Timespec { TvSec = ticks / TimeSpan.TicksPerSecond, TvNsec = ticks % TimeSpan.TicksPerSecond * 100 };
        using var mapping = Pin();

        // Woken, word already changed, or interrupted: the caller tries the lock again in each case.
        return Interop.Libc.FutexWait(GateWord, announced, relative) == 0 || Marshal.GetLastPInvokeError() != Interop.Errno.ETIMEDOUT;
    }

    /// <summary>Bumps the gate word and wakes whoever announced a wait on it.</summary>
    internal void WakeGateWaiters()
    {
        using var mapping = Pin();
        int word;
        do
        {
            word = Volatile.Read(ref *GateWord);
        }
        while (Interlocked.CompareExchange(ref *GateWord, (word + 2) & ~WaitersBit, word) != word);

        if ((word & WaitersBit) != 0)
        {
            Interop.Libc.FutexWakeAll(GateWord);
        }
    }

    private bool SetGateLock(short type)
    {
        var request = new FileLock { Type = type, Length = 1 };
        if (Interop.Libc.FcntlLock(_handle, FcntlCommands.F_OFD_SETLK, ref request) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is Interop.Errno.EAGAIN or Interop.Errno.EACCES
            ? false
            : throw Errors.ForPath(errno, _path, type == FcntlCommands.F_UNLCK ? "release the lock gate of" : "take the lock gate of");
    }
}
