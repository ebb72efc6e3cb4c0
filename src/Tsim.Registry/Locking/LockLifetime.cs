using System.Diagnostics;

namespace Tsim.Registry.Locking;

/// <summary>
/// The lifetime of one lock manager: counts the operations in flight, refuses new acquisitions once the manager is
/// disposed or the process exits, lets Dispose and exit wait (bounded) for registry locks still held, and closes the
/// manager's resources (semaphore handles, owner record slots, the watcher) when the last operation has left.
/// </summary>
/// <remarks>
/// <para>
/// An operation in flight is anything that uses those resources: an acquisition while it waits, a release while it
/// deletes the record and posts, a look at a semaphore, and a held registry lock from its acquisition to its release.
/// A registry lock is held by one library call for one read-modify-write of its file (docs/ARCHITECTURE.md, "A
/// registration, hop by hop"): it is work in progress, which Dispose waits for and never cuts off, because posting
/// under the write would let another process write in between and one of the two writes would be lost. Router locks
/// are held by jobs across calls and are not in flight while held; Dispose releases them.
/// </para>
/// <para>
/// The close is deferred rather than waited for: a post on a closed handle would throw and leave its lock held with no
/// record, which nothing recovers; so whichever operation leaves last, Dispose itself or a late registry call, closes.
/// </para>
/// </remarks>
internal sealed class LockLifetime
{
    /// <summary>
    /// How long Dispose and an exiting process let registry calls in flight finish: they take milliseconds, and
    /// releasing their lock under a write in progress would let another process write over it.
    /// </summary>
    internal static readonly TimeSpan RegistryCallGrace = TimeSpan.FromSeconds(2);

    /// <summary>Set in <see cref="_state"/> once disposed; the bits below it count the operations in flight.</summary>
    private const int DisposedFlag = 1 << 30;

    private readonly object _holdsGate = new();
    private readonly Action _close;
    private int _state;
    private int _registryHolds;
    private int _graceWaiters;
    private int _closed;
    private int _exiting;

    /// <param name="close">Closes the resources; runs once, on the thread of the last operation to leave.</param>
    internal LockLifetime(Action close) => _close = close;

    /// <summary>Gets a value indicating whether the manager was disposed.</summary>
    internal bool IsDisposed => (Volatile.Read(ref _state) & DisposedFlag) != 0;

    /// <summary>Gets a value indicating whether the process is exiting (see <see cref="BeginExit"/>).</summary>
    internal bool IsExiting => Volatile.Read(ref _exiting) != 0;

    /// <summary>Gets a value indicating whether the resources were closed.</summary>
    internal bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Counts an operation in flight; it must <see cref="Leave"/>.</summary>
    /// <exception cref="ObjectDisposedException">The manager was disposed.</exception>
    internal void Enter() => ObjectDisposedException.ThrowIf(!TryEnter(), typeof(LockManager));

    /// <summary>Counts an operation in flight, unless the manager was disposed.</summary>
    /// <returns><see langword="false"/> when disposed: nothing was counted, nothing may be touched.</returns>
    internal bool TryEnter()
    {
        if ((Interlocked.Increment(ref _state) & DisposedFlag) == 0)
        {
            return true;
        }

        Leave();
        return false;
    }

    /// <summary>Ends an operation; the last one to leave a disposed manager closes its resources.</summary>
    internal void Leave()
    {
        if (Interlocked.Decrement(ref _state) == DisposedFlag && Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _close();
        }
    }

    /// <summary>
    /// Marks the manager disposed, so that every new operation is refused, and counts the Dispose itself in flight
    /// (it must <see cref="Leave"/>).
    /// </summary>
    /// <returns><see langword="false"/> when it was already disposed: nothing was counted.</returns>
    internal bool TryBeginDispose()
    {
        var state = Volatile.Read(ref _state);
        while ((state & DisposedFlag) == 0)
        {
            var seen = Interlocked.CompareExchange(ref _state, (state + 1) | DisposedFlag, state);
            if (seen == state)
            {
                return true;
            }

            state = seen;
        }

        return false;
    }

    /// <summary>From now on, acquisitions are refused: the process is exiting.</summary>
    internal void BeginExit() => Interlocked.Exchange(ref _exiting, 1);

    /// <summary>Throws when the manager was disposed; read without a fence, since a stale value costs one more probe slice.</summary>
    /// <exception cref="ObjectDisposedException">The manager was disposed.</exception>
    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, typeof(LockManager));

    /// <summary>A registry lock was acquired: its acquisition stays in flight until <see cref="OnRegistryLockReleased"/>.</summary>
    internal void OnRegistryLockAcquired() => Interlocked.Increment(ref _registryHolds);

    /// <summary>A registry lock's hold ended (released, or left to recovery); the caller still <see cref="Leave"/>s.</summary>
    internal void OnRegistryLockReleased()
    {
        // Both sides use full fences (the decrement here, the increment of _graceWaiters there), so either the waiter
        // sees the count at zero or this sees the waiter; the gate then orders the pulse after its Monitor.Wait.
        if (Interlocked.Decrement(ref _registryHolds) == 0 && Volatile.Read(ref _graceWaiters) != 0)
        {
            lock (_holdsGate)
            {
                Monitor.PulseAll(_holdsGate);
            }
        }
    }

    /// <summary>Waits until no registry lock is held, at most <paramref name="grace"/>.</summary>
    /// <returns><see langword="false"/> when some were still held when the grace ran out.</returns>
    internal bool WaitForRegistryHolds(TimeSpan grace)
    {
        if (Volatile.Read(ref _registryHolds) == 0)
        {
            return true;
        }

        var start = Stopwatch.GetTimestamp();
        lock (_holdsGate)
        {
            Interlocked.Increment(ref _graceWaiters);
            try
            {
                while (Volatile.Read(ref _registryHolds) > 0)
                {
                    var left = grace - Stopwatch.GetElapsedTime(start);
                    if (left <= TimeSpan.Zero)
                    {
                        return false;
                    }

                    Monitor.Wait(_holdsGate, left);
                }

                return true;
            }
            finally
            {
                Interlocked.Decrement(ref _graceWaiters);
            }
        }
    }
}
