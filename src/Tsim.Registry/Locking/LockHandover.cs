namespace Tsim.Registry.Locking;

/// <summary>The one way a lock is handed on once its owner record is gone: post the semaphore, then wake router waiters.</summary>
/// <remarks>
/// Used by a holder's release, by the recovery of a dead holder's lock and by the operator override, so that all
/// three wake waiters the same way (docs/ARCHITECTURE.md, "A router lock, hop by hop").
/// </remarks>
internal static class LockHandover
{
    /// <summary>
    /// Posts the semaphore, then leaves or wakes the lock's gate (registries not shared with Python), then touches the
    /// router's notify file (registry locks have none). In this order: a waiter woken by the gate or by the touch
    /// (inotify, Python's too) must find the semaphore already posted and the gate free, or it goes back to sleep
    /// until its next probe.
    /// </summary>
    /// <param name="semaphore">The lock's semaphore.</param>
    /// <param name="name">The lock.</param>
    /// <param name="files">The lock directory.</param>
    /// <param name="gate">The lock's gate in this manager, or <see langword="null"/> when locks have none.</param>
    /// <param name="leaveGate">
    /// Whether the caller holds the gate and leaves it now (a release); otherwise the gate's waiters are only woken
    /// (a recovery by a process that does not hold it).
    /// </param>
    internal static void PostAndNotify(NamedSemaphore semaphore, LockName name, LockFiles files, LockGate? gate, bool leaveGate)
    {
        semaphore.Post();
        if (leaveGate)
        {
            gate!.Exit();
        }
        else
        {
            gate?.Wake();
        }

        Notify(name, files);
    }

    /// <summary>Touches a router's notify file (registry locks have none), which wakes inotify waiters, Python's too.</summary>
    internal static void Notify(LockName name, LockFiles files)
    {
        if (name.RouterName is { } routerName)
        {
            files.TouchNotify(routerName);
        }
    }
}
