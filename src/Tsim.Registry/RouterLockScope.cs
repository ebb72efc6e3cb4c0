using Tsim.Registry.Locking;

namespace Tsim.Registry;

/// <summary>
/// One or more router locks held by a job; disposing the scope releases them (once, however often it is disposed).
/// Returned by <see cref="IRouterLocks.RouterLock"/> and <see cref="IRouterLocks.AllRouterLocks"/>.
/// </summary>
/// <remarks>
/// The scope releases exactly the holds it was given, through the lock layer: never a later hold of the same router
/// by the same job, and never a lock its manager's Dispose has already released. Disposing it is safe from several
/// threads at once and in any order with the manager.
/// </remarks>
public sealed class RouterLockScope : IDisposable, IAsyncDisposable
{
    // One of the two is set until the first Dispose: a hold of RegistryManager's, or the release of another
    // implementation of IRouterLocks (a test double).
    private RouterLockHold? _hold;
    private Action? _release;

    /// <summary>
    /// Creates a scope whose first <see cref="Dispose"/> calls <paramref name="release"/>: for implementations of
    /// <see cref="IRouterLocks"/> other than <see cref="RegistryManager"/>, such as a test double.
    /// </summary>
    /// <param name="routerNames">The routers the scope holds, in the order they were locked.</param>
    /// <param name="jobId">The job that holds them.</param>
    /// <param name="release">Releases the routers; called once, by the first <see cref="Dispose"/> or <see cref="DisposeAsync"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is null, or <paramref name="routerNames"/> contains null.</exception>
    public RouterLockScope(IEnumerable<string> routerNames, string jobId, Action release)
    {
        ArgumentNullException.ThrowIfNull(routerNames);
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(release);
        string[] routers = [.. routerNames];
        if (Array.IndexOf(routers, null) >= 0)
        {
            throw new ArgumentNullException(nameof(routerNames), "The router names contain null.");
        }

        RouterNames = routers;
        JobId = jobId;
        _release = release;
    }

    internal RouterLockScope(RouterLockHold hold, IReadOnlyList<string> routerNames, string jobId)
    {
        _hold = hold;
        RouterNames = routerNames;
        JobId = jobId;
    }

    /// <summary>Gets the routers held, in the order they were locked.</summary>
    public IReadOnlyList<string> RouterNames { get; }

    /// <summary>Gets the job that holds the routers.</summary>
    public string JobId { get; }

    /// <summary>Releases the routers, touching their notify files so that waiters wake up.</summary>
    /// <exception cref="RegistryException">
    /// A router's owner record could not be removed, so that router stays locked until this process exits; the
    /// other routers were released.
    /// </exception>
    public void Dispose()
    {
        Interlocked.Exchange(ref _hold, null)?.Release();
        Interlocked.Exchange(ref _release, null)?.Invoke();
    }

    /// <summary>Releases the routers; see <see cref="Dispose"/>. Releasing never blocks.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
