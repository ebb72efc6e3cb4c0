namespace Tsim.Registry;

/// <summary>
/// Exclusive router locks held by jobs: one router or several at once (in one order, so without deadlock), with
/// timeouts and cancellation, and waits for routers to become free. One of the roles of <see cref="RegistryManager"/>;
/// a service that only locks routers takes this interface, so that its tests can give it a fake.
/// </summary>
/// <remarks>
/// <see cref="IRegistryManager"/> combines every role. <see cref="RegistryManager"/> is the implementation, and
/// <c>AddTsimRegistry</c> registers it as this interface too, all resolving to one singleton. A fake returns scopes
/// made with <see cref="RouterLockScope(IEnumerable{string}, string, Action)"/>.
/// </remarks>
public interface IRouterLocks
{
    /// <summary>Acquires a router's exclusive lock for a job: the router and every host attached to it.</summary>
    /// <param name="routerName">The router.</param>
    /// <param name="jobId">The job that will hold the lock; only it can release the lock.</param>
    /// <param name="timeout">How long to wait; <see langword="null"/> = the configured <c>router_lock</c> default, <see cref="TimeSpan.Zero"/> = try once.</param>
    /// <returns><see langword="true"/> when acquired; <see langword="false"/> when the timeout elapsed.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or too large.</exception>
    /// <exception cref="LockRecursionException">The job already holds this router.</exception>
    /// <exception cref="InvalidOperationException">The job holds a router that sorts after this one (lock order).</exception>
    bool AcquireRouterLock(string routerName, string jobId, TimeSpan? timeout = null);

    /// <summary>
    /// Acquires a router's exclusive lock without blocking a thread while waiting: the wait is driven by inotify
    /// events of the lock directory (every router release touches its notify file) with a re-check every probe
    /// interval, so thousands of waiters cost no threads.
    /// </summary>
    /// <param name="routerName">The router.</param>
    /// <param name="jobId">The job that will hold the lock.</param>
    /// <param name="timeout">How long to wait; <see langword="null"/> = the configured <c>router_lock</c> default, <see cref="TimeSpan.Zero"/> = try once.</param>
    /// <param name="cancellationToken">Cancels the wait; nothing is held afterwards.</param>
    /// <returns><see langword="true"/> when acquired; <see langword="false"/> when the timeout elapsed.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or too large.</exception>
    /// <exception cref="LockRecursionException">The job already holds this router.</exception>
    /// <exception cref="InvalidOperationException">The job holds a router that sorts after this one (lock order).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<bool> AcquireRouterLockAsync(string routerName, string jobId, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases a router lock held by <paramref name="jobId"/> through this manager and notifies waiters. A lock held
    /// by another job, another manager or another process is left alone.
    /// </summary>
    /// <param name="routerName">The router.</param>
    /// <param name="jobId">The job that holds it.</param>
    /// <returns><see langword="true"/> when released; <see langword="false"/> when this job does not hold it here.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    bool ReleaseRouterLock(string routerName, string jobId);

    /// <summary>
    /// Acquires a router lock and returns a scope that releases it when disposed:
    /// <c>using var scope = manager.RouterLock("router-1", jobId);</c>.
    /// </summary>
    /// <param name="routerName">The router.</param>
    /// <param name="jobId">The job that will hold the lock.</param>
    /// <param name="timeout">How long to wait; <see langword="null"/> = the configured <c>router_lock</c> default.</param>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="RegistryLockTimeoutException">The lock was not acquired in time.</exception>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="LockRecursionException">The job already holds this router.</exception>
    /// <exception cref="InvalidOperationException">The job holds a router that sorts after this one (lock order).</exception>
    RouterLockScope RouterLock(string routerName, string jobId, TimeSpan? timeout = null);

    /// <summary>
    /// Acquires a router lock without blocking a thread and returns a scope that releases it when disposed:
    /// <c>await using var scope = await manager.RouterLockAsync("router-1", jobId, cancellationToken: ct);</c>.
    /// </summary>
    /// <param name="routerName">The router.</param>
    /// <param name="jobId">The job that will hold the lock.</param>
    /// <param name="timeout">How long to wait; <see langword="null"/> = the configured <c>router_lock</c> default.</param>
    /// <param name="cancellationToken">Cancels the wait; nothing is held afterwards.</param>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="RegistryLockTimeoutException">The lock was not acquired in time.</exception>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    /// <exception cref="LockRecursionException">The job already holds this router.</exception>
    /// <exception cref="InvalidOperationException">The job holds a router that sorts after this one (lock order).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<RouterLockScope> RouterLockAsync(
        string routerName,
        string jobId,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Acquires the locks of several routers, all or nothing: in ordinal order of their names (duplicates ignored),
    /// and when one cannot be had within the total timeout, those already taken are released again.
    /// </summary>
    /// <param name="routerNames">The routers.</param>
    /// <param name="jobId">The job that will hold the locks.</param>
    /// <param name="timeout">The total time to wait; <see langword="null"/> = the configured <c>router_lock_atomic</c> default.</param>
    /// <returns><see langword="true"/> when every lock was acquired; <see langword="false"/> when none is held.</returns>
    /// <exception cref="ArgumentException">An argument is invalid or the list is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or too large.</exception>
    /// <exception cref="LockRecursionException">The job already holds one of the routers.</exception>
    /// <exception cref="InvalidOperationException">The job holds a router that sorts after one of these (lock order).</exception>
    bool AcquireAllRouterLocksAtomic(IEnumerable<string> routerNames, string jobId, TimeSpan? timeout = null);

    /// <summary>
    /// Acquires the locks of several routers all or nothing (see <see cref="AcquireAllRouterLocksAtomic"/>) without
    /// blocking a thread while waiting.
    /// </summary>
    /// <param name="routerNames">The routers.</param>
    /// <param name="jobId">The job that will hold the locks.</param>
    /// <param name="timeout">The total time to wait; <see langword="null"/> = the configured <c>router_lock_atomic</c> default.</param>
    /// <param name="cancellationToken">Cancels the wait; the locks taken so far are released again.</param>
    /// <returns><see langword="true"/> when every lock was acquired; <see langword="false"/> when none is held.</returns>
    /// <exception cref="ArgumentException">An argument is invalid or the list is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or too large.</exception>
    /// <exception cref="LockRecursionException">The job already holds one of the routers.</exception>
    /// <exception cref="InvalidOperationException">The job holds a router that sorts after one of these (lock order).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<bool> AcquireAllRouterLocksAtomicAsync(
        IEnumerable<string> routerNames,
        string jobId,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default);

    /// <summary>Releases the router locks among <paramref name="routerNames"/> that <paramref name="jobId"/> holds here.</summary>
    /// <param name="routerNames">The routers.</param>
    /// <param name="jobId">The job that holds them.</param>
    /// <returns>How many locks were released.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    int ReleaseAllRouterLocks(IEnumerable<string> routerNames, string jobId);

    /// <summary>
    /// Acquires several router locks all or nothing (see <see cref="AcquireAllRouterLocksAtomic"/>) and returns a
    /// scope that releases them when disposed.
    /// </summary>
    /// <param name="routerNames">The routers.</param>
    /// <param name="jobId">The job that will hold the locks.</param>
    /// <param name="timeout">The total time to wait; <see langword="null"/> = the configured <c>router_lock_atomic</c> default.</param>
    /// <returns>The held locks; dispose to release.</returns>
    /// <exception cref="RegistryLockTimeoutException">Not every lock was acquired in time; none is held.</exception>
    /// <exception cref="ArgumentException">An argument is invalid or the list is empty.</exception>
    /// <exception cref="LockRecursionException">The job already holds one of the routers.</exception>
    /// <exception cref="InvalidOperationException">The job holds a router that sorts after one of these (lock order).</exception>
    RouterLockScope AllRouterLocks(IEnumerable<string> routerNames, string jobId, TimeSpan? timeout = null);

    /// <summary>
    /// Acquires several router locks all or nothing without blocking a thread, and returns a scope that releases
    /// them when disposed.
    /// </summary>
    /// <param name="routerNames">The routers.</param>
    /// <param name="jobId">The job that will hold the locks.</param>
    /// <param name="timeout">The total time to wait; <see langword="null"/> = the configured <c>router_lock_atomic</c> default.</param>
    /// <param name="cancellationToken">Cancels the wait; the locks taken so far are released again.</param>
    /// <returns>The held locks; dispose to release.</returns>
    /// <exception cref="RegistryLockTimeoutException">Not every lock was acquired in time; none is held.</exception>
    /// <exception cref="ArgumentException">An argument is invalid or the list is empty.</exception>
    /// <exception cref="LockRecursionException">The job already holds one of the routers.</exception>
    /// <exception cref="InvalidOperationException">The job holds a router that sorts after one of these (lock order).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<RouterLockScope> AllRouterLocksAsync(
        IEnumerable<string> routerNames,
        string jobId,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Tells whether any process holds the router, read from the semaphore itself, so holders written in Python
    /// count too.
    /// </summary>
    /// <param name="routerName">The router.</param>
    /// <returns><see langword="true"/> when the router is held.</returns>
    /// <exception cref="ArgumentException"><paramref name="routerName"/> is invalid.</exception>
    bool IsRouterLocked(string routerName);

    /// <summary>Gets the owner of a router lock from the record its C# holder wrote.</summary>
    /// <param name="routerName">The router.</param>
    /// <returns>
    /// The owner, or <see langword="null"/> when the router is free, or held by a process that writes no owner
    /// record (the Python implementation).
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="routerName"/> is invalid.</exception>
    RouterLockOwner? GetRouterLockOwner(string routerName);

    /// <summary>
    /// Waits until a router is free, without acquiring it. Event driven: a release by any process (C# or Python)
    /// touches the router's notify file, which wakes the wait through inotify; no CPU is used while waiting.
    /// </summary>
    /// <param name="routerName">The router.</param>
    /// <param name="timeout">How long to wait; <see langword="null"/> = the configured <c>router_lock</c> default.</param>
    /// <returns><see langword="true"/> when the router is free; <see langword="false"/> when the timeout elapsed first.</returns>
    /// <exception cref="ArgumentException"><paramref name="routerName"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or too large.</exception>
    bool WaitForRouter(string routerName, TimeSpan? timeout = null);

    /// <summary>Waits until a router is free, without acquiring it and without blocking a thread.</summary>
    /// <param name="routerName">The router.</param>
    /// <param name="timeout">How long to wait; <see langword="null"/> = the configured <c>router_lock</c> default.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see langword="true"/> when the router is free; <see langword="false"/> when the timeout elapsed first.</returns>
    /// <exception cref="ArgumentException"><paramref name="routerName"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or too large.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<bool> WaitForRouterAsync(string routerName, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Waits until every router is free, within one total timeout.</summary>
    /// <param name="routerNames">The routers.</param>
    /// <param name="timeout">The total time to wait; <see langword="null"/> = the configured <c>router_lock</c> default.</param>
    /// <returns><see langword="true"/> when all were seen free; <see langword="false"/> when the timeout elapsed first.</returns>
    /// <exception cref="ArgumentException">An argument is invalid or the list is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or too large.</exception>
    bool WaitForAllRouters(IEnumerable<string> routerNames, TimeSpan? timeout = null);

    /// <summary>Waits until every router is free, within one total timeout, without blocking a thread.</summary>
    /// <param name="routerNames">The routers.</param>
    /// <param name="timeout">The total time to wait; <see langword="null"/> = the configured <c>router_lock</c> default.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see langword="true"/> when all were seen free; <see langword="false"/> when the timeout elapsed first.</returns>
    /// <exception cref="ArgumentException">An argument is invalid or the list is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative or too large.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<bool> WaitForAllRoutersAsync(IEnumerable<string> routerNames, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Operator override for a router lock whose holder died without a usable owner record (killed in the
    /// microseconds between acquiring and writing its record): frees it. Refuses while the recorded owner is alive.
    /// </summary>
    /// <remarks>
    /// A holder that writes no owner record at all (a process of the Python implementation) looks exactly like such a
    /// lock: only use this when you know the holder is gone, e.g. after <see cref="IRegistryManager.ListHeldLocks"/> shows
    /// <see cref="LockOwnerState.NoRecord"/> and no job runner of the router is running.
    /// </remarks>
    /// <param name="routerName">The router.</param>
    /// <returns><see langword="true"/> when the lock was freed; <see langword="false"/> when it was not held.</returns>
    /// <exception cref="ArgumentException"><paramref name="routerName"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">The recorded owner is alive, or of another pid namespace.</exception>
    bool ForceReleaseRouterLock(string routerName);
}
