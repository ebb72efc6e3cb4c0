
namespace Tsim.Registry;

/// <summary>
/// One or more router locks held by a job; disposing the scope releases them (once, however often it is disposed).
/// Returned by <see cref="RegistryManager.RouterLock"/> and <see cref="RegistryManager.AllRouterLocks"/>.
/// </summary>
public sealed class RouterLockScope : IDisposable, IAsyncDisposable
{
    private RegistryManager? _manager;

    internal RouterLockScope(RegistryManager manager, IReadOnlyList<string> routerNames, string jobId)
    {
        _manager = manager;
        RouterNames = routerNames;
        JobId = jobId;
    }

    /// <summary>Gets the routers held, in the order they were locked.</summary>
    public IReadOnlyList<string> RouterNames { get; }

    /// <summary>Gets the job that holds the routers.</summary>
    public string JobId { get; }

    /// <summary>Releases the routers, touching their notify files so that waiters wake up.</summary>
    public void Dispose() => Interlocked.Exchange(ref _manager, null)?.ReleaseScope(RouterNames, JobId);

    /// <summary>Releases the routers; see <see cref="Dispose"/>. Releasing never blocks.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
