using System.Runtime.InteropServices;
using Tsim.Registry.Interop;

namespace Tsim.Registry.Locking;

/// <summary>
/// The gate word of a lock's slot (offset 12 of the header): how processes waiting for a lock's gate
/// (<see cref="LockGate"/>, a lock on the semaphore's file) sleep until it is left, with futex(2) on the shared mapping.
/// </summary>
/// <remarks>
/// Bit 0 says that someone sleeps on the word, the other bits count gate releases. A waiter sets bit 0, tries the
/// gate once more, then sleeps while the word is unchanged; whoever leaves the gate (or recovers the lock) bumps the
/// count and clears bit 0, and wakes the sleepers only if bit 0 was set, so an uncontended release makes no futex
/// call. A waiter that set its bit after the bump finds the gate already free on its second try: no wake-up is lost.
/// The word only wakes: a waiter that misses it (one configured with another lock directory) tries again at the end
/// of its slice.
/// </remarks>
internal sealed unsafe partial class OwnerRecordSlot
{
    private const int GateWordOffset = 12;
    private const int WaitersBit = 1;

    private int* GateWord => (int*)(_start + GateWordOffset);

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
}
