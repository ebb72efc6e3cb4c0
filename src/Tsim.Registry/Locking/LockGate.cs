namespace Tsim.Registry.Locking;

/// <summary>
/// The gate of one lock in one manager of a registry not shared with Python
/// (<see cref="RegistryManagerOptions.SharedWithPython"/> false): whoever touches the lock's semaphore holds the gate
/// first and keeps it until after the post, and the kernel releases a dead holder's gate. So, under the gate, a
/// semaphore that is taken was left taken by a dead process, whatever moment it died at (docs/ARCHITECTURE.md,
/// "Crash safety").
/// </summary>
/// <remarks>
/// Two parts, taken in this order and released in the reverse one. The in-process part serialises the manager's own
/// threads: they share the semaphore's open file, and the kernel part (an open file description lock on that file,
/// <see cref="NamedSemaphore.TryLockGate"/>, which belongs to the open file, not to a thread) cannot tell them apart.
/// The kernel part serialises managers and processes. Waiters sleep on the lock slot's gate word
/// (<see cref="OwnerRecordSlot.AnnounceGateWaiter"/>), which leaving the gate bumps.
/// </remarks>
internal sealed class LockGate(NamedSemaphore semaphore, OwnerRecordSlot slot) : IDisposable
{
    private readonly SemaphoreSlim _inProcess = new(1, 1);

    /// <summary>Gets the slot whose header carries the gate word waiters sleep on.</summary>
    internal OwnerRecordSlot Slot => slot;

    /// <summary>Gets a value indicating whether a thread of this manager has entered (or is entering) the gate.</summary>
    internal bool IsEnteredInProcess => _inProcess.CurrentCount == 0;

    /// <summary>Enters both parts without waiting.</summary>
    /// <returns><see langword="false"/> when another thread of this manager or another open file has the gate.</returns>
    internal bool TryEnter()
    {
        if (!_inProcess.Wait(0))
        {
            return false;
        }

        var entered = false;
        try
        {
            entered = semaphore.TryLockGate();
            return entered;
        }
        finally
        {
            if (!entered)
            {
                _inProcess.Release();
            }
        }
    }

    /// <summary>Waits for the in-process part for at most <paramref name="timeout"/>.</summary>
    internal bool EnterInProcess(TimeSpan timeout) => _inProcess.Wait(timeout);

    /// <summary>Waits for the in-process part for at most <paramref name="timeout"/> without blocking a thread.</summary>
    internal Task<bool> EnterInProcessAsync(TimeSpan timeout, CancellationToken cancellationToken) => _inProcess.WaitAsync(timeout, cancellationToken);

    /// <summary>Takes the kernel part without waiting, for a thread that holds the in-process part.</summary>
    internal bool TryLockKernelPart() => semaphore.TryLockGate();

    /// <summary>Leaves the in-process part, for a thread that holds only that part (its kernel wait gave up).</summary>
    internal void ExitInProcess() => _inProcess.Release();

    /// <summary>
    /// Leaves the gate: the kernel part first (another thread of this manager entering the in-process part must not find
    /// the kernel lock still taken by the open file it shares), then wakes the waiters, then the in-process part.
    /// </summary>
    internal void Exit()
    {
        try
        {
            semaphore.UnlockGate();
            slot.WakeGateWaiters();
        }
        finally
        {
            _inProcess.Release();
        }
    }

    /// <summary>Wakes the processes waiting for the gate (a recovery posted the semaphore).</summary>
    internal void Wake() => slot.WakeGateWaiters();

    /// <summary>Releases the in-process part's resources; called once no thread uses the gate any more.</summary>
    public void Dispose() => _inProcess.Dispose();
}
