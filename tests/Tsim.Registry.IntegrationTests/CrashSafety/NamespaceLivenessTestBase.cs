using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// The setting of the namespace liveness tests: a crash-safety registry with host <c>h1</c> on <c>r1</c> registered,
/// a manager of this process to judge from, and the namespaced processes, all removed afterwards.
/// </summary>
public abstract class NamespaceLivenessTestBase : IDisposable
{
    private protected NamespaceLivenessTestBase()
    {
        Namespaces = new NamespaceProcesses(Registry);
        Manager = Registry.CreateManager();
        Manager.CheckAndRegisterHost("h1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();
    }

    private protected RegistryFixture Registry { get; } = CrashSupport.CreateRegistry();

    private protected NamespaceProcesses Namespaces { get; }

    private protected RegistryManager Manager { get; }

    public void Dispose()
    {
        Namespaces.Dispose();
        Registry.Dispose();
        GC.SuppressFinalize(this);
    }
}
