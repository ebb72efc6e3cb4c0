using Tsim.Registry;
using Xunit;

namespace JobRunner.Tests;

// The service under test takes the role it needs, IHostRegistry, not RegistryManager: a test can give it a fake.
public sealed class HostProvisioner(IHostRegistry hosts)
{
    public string Provision(string name, string ip, string router, string mac)
    {
        var result = hosts.TryRegisterHost(name, ip, router, mac);
        return result.IsRegistered ? $"created {name}" : $"skipped {name}: {result.Reason}";
    }
}

public sealed class HostProvisionerTests
{
    [Fact]
    public void Collision_IsReportedNotThrown()
    {
        var provisioner = new HostProvisioner(new FakeHostRegistry(
            HostRegistrationResult.Refused(HostCollisionKind.IpAddress, "web-1", "IP 10.0.0.10 is already used by host web-1")));

        var outcome = provisioner.Provision("web-2", "10.0.0.10", "router-1", "02:00:00:00:00:0b");

        Assert.Equal("skipped web-2: IP 10.0.0.10 is already used by host web-1", outcome);
    }

    // A fake answers every registration with one result and remembers nothing else.
    private sealed class FakeHostRegistry(HostRegistrationResult answer) : IHostRegistry
    {
        public HostRegistrationResult TryRegisterHost(string hostName, string primaryIp, string connectedTo, string macAddress, IReadOnlyDictionary<string, object?>? additionalInfo = null) => answer;

        public bool CheckAndRegisterHost(string hostName, string primaryIp, string connectedTo, string macAddress, IReadOnlyDictionary<string, object?>? additionalInfo = null) => answer.IsRegistered;

        public void RegisterHost(string hostName, string primaryIp, string connectedTo, string macAddress, IReadOnlyDictionary<string, object?>? additionalInfo = null) =>
            throw new NotSupportedException();

        public bool UnregisterHost(string hostName) => false;

        public HostInfo? GetHostInfo(string hostName) => null;

        public IReadOnlyDictionary<string, HostInfo> ListAllHosts() => new Dictionary<string, HostInfo>();
    }
}
