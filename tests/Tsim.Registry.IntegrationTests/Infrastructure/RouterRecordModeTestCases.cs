namespace Tsim.Registry.IntegrationTests.Infrastructure;

/// <summary>
/// The base of the integration test cases that must hold in both router-record modes
/// (<see cref="RegistryManagerOptions.SharedWithPython"/>): each concrete subclass names its mode, and every test gets
/// a registry of its own, removed with its workers and semaphores afterwards.
/// </summary>
public abstract class RouterRecordModeTestCases : IDisposable
{
    /// <param name="registry">The test's registry; disposed with the test.</param>
    protected RouterRecordModeTestCases(RegistryFixture registry) => Registry = registry;

    /// <summary>Gets the test's registry.</summary>
    protected RegistryFixture Registry { get; }

    /// <summary>Gets the mode of the workers and managers (unless a test gives one the other mode).</summary>
    protected abstract bool SharedWithPython { get; }

    /// <summary>Gets the worker options of <see cref="SharedWithPython"/>.</summary>
    protected string[] Setting => RegistryFixture.SharedWithPythonOptions(SharedWithPython);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Kills the workers, disposes the managers, unlinks the semaphores and deletes the registry.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Registry.Dispose();
        }
    }
}
