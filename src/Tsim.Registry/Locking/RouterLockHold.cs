using System.Runtime.ExceptionServices;

namespace Tsim.Registry.Locking;

/// <summary>
/// The router locks one <see cref="RouterLockScope"/> holds, released through the lock layer exactly once: only these
/// very holds (a later hold of the same router by the same job is not touched), and none that the manager's Dispose
/// has already released.
/// </summary>
internal sealed class RouterLockHold
{
    private readonly LockManager _locks;
    private readonly HeldLock[] _holds;
    private readonly Action<HeldLock>? _onReleased;
    private int _released;

    /// <param name="locks">The manager that holds them.</param>
    /// <param name="holds">The holds, in the order they were taken.</param>
    /// <param name="onReleased">Called after each lock this hold released (the facade's audit line); must not throw.</param>
    internal RouterLockHold(LockManager locks, HeldLock[] holds, Action<HeldLock>? onReleased)
    {
        _locks = locks;
        _holds = holds;
        _onReleased = onReleased;
    }

    /// <summary>Gets the holds, in the order they were taken.</summary>
    internal IReadOnlyList<HeldLock> Holds => _holds;

    /// <summary>Releases the locks still held; the second and later calls do nothing.</summary>
    /// <returns>How many locks this call released.</returns>
    /// <exception cref="RegistryException">
    /// An owner record could not be removed, so that lock stays held until this process exits; the others were
    /// released all the same.
    /// </exception>
    internal int Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return 0;
        }

        var released = 0;
        RegistryException? failure = null;
        foreach (var held in _holds)
        {
            try
            {
                if (_locks.ReleaseHeld(held))
                {
                    released++;
                    _onReleased?.Invoke(held);
                }
            }
            catch (RegistryException ex)
            {
                // Its record could not be removed (the lock stays held until exit): the other routers still go.
                failure ??= ex;
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return released;
    }
}
