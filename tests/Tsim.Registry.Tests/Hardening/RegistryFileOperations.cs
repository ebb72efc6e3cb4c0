
namespace Tsim.Registry.Tests.Hardening;

/// <summary>
/// Every public operation that reads or writes a registry file, by name, so that the hardening tests can run each
/// against a file in a hostile state (corrupt, replaced by a symlink, …).
/// </summary>
internal static class RegistryFileOperations
{
    /// <summary>Runs one operation. <paramref name="hostName"/> is the registered host the host operations use.</summary>
    internal static void Run(RegistryManager manager, string operation, string hostName)
    {
        switch (operation)
        {
            case nameof(RegistryManager.CheckAndRegisterHost):
                manager.CheckAndRegisterHost("web-2", "10.0.0.2", "r1", "aa:bb:cc:dd:ee:02");
                break;
            case nameof(RegistryManager.UnregisterHost):
                manager.UnregisterHost(hostName);
                break;
            case nameof(RegistryManager.GetHostInfo):
                manager.GetHostInfo(hostName);
                break;
            case nameof(RegistryManager.ListAllHosts):
                manager.ListAllHosts();
                break;
            case nameof(RegistryManager.AcquireSourceHostLease):
                manager.AcquireSourceHostLease("run-1", "web-1", "quick", "r1");
                break;
            case nameof(RegistryManager.ReleaseSourceHostLease):
                manager.ReleaseSourceHostLease("run-1", "web-1");
                break;
            case nameof(RegistryManager.GetHostLeaseCount):
                manager.GetHostLeaseCount("web-1");
                break;
            case nameof(RegistryManager.ListHostLeases):
                manager.ListHostLeases();
                break;
            case nameof(RegistryManager.ReapStaleLeases):
                manager.ReapStaleLeases();
                break;
            case "ReapStaleLeases(dryRun)":
                manager.ReapStaleLeases(dryRun: true);
                break;
            case nameof(RegistryManager.AcquireNeighborLease):
                manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.7");
                break;
            case nameof(RegistryManager.ReleaseNeighborLease):
                manager.ReleaseNeighborLease("run-1", "web-1", "10.0.0.7");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, "no such operation in these tests");
        }
    }
}
