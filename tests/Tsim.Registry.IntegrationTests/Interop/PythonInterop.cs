
namespace Tsim.Registry.IntegrationTests.Interop;

/// <summary>
/// The tests that run next to the Python reference. The spec hard-codes the semaphore names (<c>/tsim-*</c>), so
/// these tests share one global set of locks: they run one at a time and never beside another collection.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PythonInterop : ICollectionFixture<TsimSemaphoreCleanup>
{
    public const string Name = "PythonInterop";
}

/// <summary>
/// Unlinks the spec's global semaphores (<c>/dev/shm/sem.tsim-*</c>, only those) before the collection starts and
/// after it ends, so that a semaphore left at 0 by an earlier crash cannot block these tests and none is left behind.
/// </summary>
public sealed class TsimSemaphoreCleanup : IDisposable
{
    public TsimSemaphoreCleanup() => UnlinkTsimSemaphores();

    public void Dispose() => UnlinkTsimSemaphores();

    /// <summary>sem_unlink(3) of a glibc semaphore /NAME is unlink(2) of /dev/shm/sem.NAME.</summary>
    internal static void UnlinkTsimSemaphores()
    {
        // "sem.tsim-" and not "sem.tsim*": other tests' prefixes never start with "tsim-" (python-reference README).
        foreach (var file in Directory.EnumerateFiles("/dev/shm", "sem.tsim-*"))
        {
            File.Delete(file);
        }
    }
}
