using Tsim.Registry.Locking;

namespace Tsim.Registry;

/// <summary>
/// One or more router locks held by a job; disposing the scope releases them (once, however often it is disposed).
/// Returned by <see cref="RegistryManager.RouterLock"/> and <see cref="RegistryManager.AllRouterLocks"/>.
/// </summary>
/// <remarks>
/// The scope releases exactly the holds it was given, through the lock layer: never a later hold of the same router
/// by the same job, and never a lock its manager's Dispose has already released. Disposing it is safe from several
/// threads at once and in any order with the manager.
/// </remarks>
public sealed class RouterLockScope : IDisposable, IAsyncDisposable
{
    private RouterLockHold? _hold;

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
    public void Dispose() => Interlocked.Exchange(ref _hold, null)?.Release();

    /// <summary>Releases the routers; see <see cref="Dispose"/>. Releasing never blocks.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
