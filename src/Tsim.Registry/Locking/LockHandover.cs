namespace Tsim.Registry.Locking;

/// <summary>The one way a lock is handed on once its owner record is gone: post the semaphore, then wake router waiters.</summary>
/// <remarks>
/// Used by a holder's release, by the recovery of a dead holder's lock and by the operator override, so that all
/// three wake waiters the same way (docs/ARCHITECTURE.md, "A router lock, hop by hop").
/// </remarks>
internal static class LockHandover
{
    /// <summary>
    /// Posts the semaphore, then touches the router's notify file (registry locks have none). In this order: a waiter
    /// woken by the touch (inotify, Python's too) must find the semaphore already posted, or it goes back to sleep
    /// until its next probe.
    /// </summary>
    internal static void PostAndNotify(NamedSemaphore semaphore, LockName name, LockFiles files)
    {
        semaphore.Post();
        if (name.RouterName is { } routerName)
        {
            files.TouchNotify(routerName);
        }
    }
}
