namespace Tsim.Registry.Locking;

/// <summary>
/// The gate of one lock in one manager of a registry not shared with Python
/// (<see cref="RegistryManagerOptions.SharedWithPython"/> false): whoever touches the lock's semaphore holds the gate
/// first and keeps it until after the post, and the kernel releases a dead holder's gate. So, under the gate, a
/// semaphore that is taken was left taken by a dead process, whatever moment it died at (docs/ARCHITECTURE.md,
/// "Crash safety").
/// </summary>
/// <remarks>
/// Two parts, taken in this order and released in the reverse one. The in-process part serialises the manager's
/// own threads: they share the slot file's open file, and the kernel lock (an open file description lock, which
/// belongs to the open file, not to a thread) cannot tell them apart. The kernel part,
/// <see cref="OwnerRecordSlot.TryLockGate"/>, serialises managers and processes.
/// </remarks>
internal sealed class LockGate(OwnerRecordSlot slot) : IDisposable
{
    private readonly SemaphoreSlim _inProcess = new(1, 1);

    /// <summary>Gets the slot whose file carries the kernel lock and whose header carries the wake-up word.</summary>
    internal OwnerRecordSlot Slot => slot;

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
            entered = slot.TryLockGate();
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

    /// <summary>Leaves the in-process part, for a thread that holds only that part (its kernel lock wait gave up).</summary>
    internal void ExitInProcess() => _inProcess.Release();

    /// <summary>
    /// Leaves the gate: the kernel part first (another thread of this manager entering the in-process part must not find
    /// the kernel lock still taken by this open file, which it would share), then the in-process part.
    /// </summary>
    internal void Exit()
    {
        try
        {
            slot.UnlockGate();
        }
        finally
        {
            _inProcess.Release();
        }
    }

    /// <summary>Releases the in-process part's resources; called once no thread uses the gate any more.</summary>
    public void Dispose() => _inProcess.Dispose();
}
