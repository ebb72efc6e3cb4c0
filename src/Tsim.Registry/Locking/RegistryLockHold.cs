using System.Globalization;

namespace Tsim.Registry.Locking;

/// <summary>One of the three registry locks, held by a library call until disposed.</summary>
/// <remarks>
/// From its acquisition to its release the hold counts as an operation in flight of its manager (see
/// <see cref="LockLifetime"/>): the manager's Dispose waits for it and never posts the lock under the call's write,
/// and the manager's resources stay open until this hold has released.
/// </remarks>
internal readonly struct RegistryLockHold : IDisposable
{
    /// <summary>The holder id of registry locks: they are held inside one call, so only the process matters.</summary>
    internal static readonly string JobId = "registry-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    private readonly LockManager _locks;
    private readonly HeldLock _held;

    internal RegistryLockHold(LockManager locks, HeldLock held)
    {
        _locks = locks;
        _held = held;
    }

    /// <summary>
    /// Releases the lock: deletes its owner record and posts, even after the manager was disposed. Releases this hold
    /// only, once: disposing it (or a copy of it) again changes nothing, even when a later call holds the lock now.
    /// </summary>
    public void Dispose() => _locks.ReleaseRegistryHold(_held);
}
