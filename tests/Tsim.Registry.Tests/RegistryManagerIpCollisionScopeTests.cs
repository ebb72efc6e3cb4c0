using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>
/// <see cref="RegistryManagerOptions.IpCollisionScope"/>: in the router scope (a tsim deployment, where each router's LAN
/// is its own namespace) hosts collide by IP only with hosts on the same router (<c>connected_to</c>); host names and
/// MAC addresses stay unique across the whole registry. The global scope is the specification's rule.
/// </summary>
public sealed class RegistryManagerIpCollisionScopeTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    private RegistryManager Manager(IpCollisionScope scope) => _context.CreateManager(o => o.IpCollisionScope = scope);

    /// <summary>Replaces the hosts file the way Python (or tsim) does: a new file renamed over the old one.</summary>
    private void WriteLikePython(string json)
    {
        _context.EnsureDirectories();
        var temp = _context.HostsPath + ".py.tmp";
        File.WriteAllText(temp, json);
        File.Move(temp, _context.HostsPath, overwrite: true);
    }

    [Fact]
    public void Default_IsGlobal()
    {
        new RegistryManagerOptions().IpCollisionScope.Should().Be(IpCollisionScope.Global);
        _context.CreateManager().IpCollisionScope.Should().Be(IpCollisionScope.Global);
        Manager(IpCollisionScope.Router).IpCollisionScope.Should().Be(IpCollisionScope.Router);
    }

    [Fact]
    public void RouterScope_SameIpOnTwoRouters_BothRegistered()
    {
        var manager = Manager(IpCollisionScope.Router);
        manager.CheckAndRegisterHost("a", "10.0.0.1/24", "r1", "02:00:00:00:00:01").Should().BeTrue();

        var result = manager.TryRegisterHost("b", "10.0.0.1/16", "r2", "02:00:00:00:00:02");

        result.IsRegistered.Should().BeTrue();
        manager.ListAllHosts().Keys.Should().BeEquivalentTo("a", "b");
        manager.GetHostInfo("b")!.ConnectedTo.Should().Be("r2");
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.1/8")]
    public void RouterScope_SameIpSameRouter_RefusedNamingTheRouterAndTheRule(string ip)
    {
        var manager = Manager(IpCollisionScope.Router);
        manager.CheckAndRegisterHost("a", "10.0.0.1/24", "r1", "02:00:00:00:00:01").Should().BeTrue();
        manager.CheckAndRegisterHost("b", "10.0.0.1/24", "r2", "02:00:00:00:00:02").Should().BeTrue();
        var before = File.ReadAllBytes(_context.HostsPath);

        var result = manager.TryRegisterHost("c", ip, "r2", "02:00:00:00:00:03");
        var act = () => manager.RegisterHost("c", ip, "r2", "02:00:00:00:00:03");

        result.IsRegistered.Should().BeFalse();
        result.Collision.Should().Be(HostCollisionKind.IpAddress);
        result.CollidingHostName.Should().Be("b");
        result.Reason.Should().Be("IP 10.0.0.1 is already used by host b on the same router r2 (ip_collision_scope: router)");
        act.Should().Throw<RegistryCollisionException>()
            .WithMessage("Host 'c' was not registered: IP 10.0.0.1 is already used by host b on the same router r2 (ip_collision_scope: router).");
        File.ReadAllBytes(_context.HostsPath).Should().Equal(before);
    }

    [Fact]
    public void RouterScope_SameMacOnAnotherRouter_Refused()
    {
        var manager = Manager(IpCollisionScope.Router);
        manager.CheckAndRegisterHost("a", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();

        var result = manager.TryRegisterHost("b", "10.0.0.2", "r2", "02-00-00-00-00-01");

        result.Collision.Should().Be(HostCollisionKind.MacAddress);
        result.CollidingHostName.Should().Be("a");
        result.Reason.Should().Be("MAC 02:00:00:00:00:01 is already used by host a");
    }

    [Fact]
    public void RouterScope_SameNameOnAnotherRouter_Refused()
    {
        var manager = Manager(IpCollisionScope.Router);
        manager.CheckAndRegisterHost("a", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();

        var result = manager.TryRegisterHost("a", "10.0.0.2", "r2", "02:00:00:00:00:02");

        result.Collision.Should().Be(HostCollisionKind.HostName);
        result.Reason.Should().Be("host name a is already registered");
        manager.GetHostInfo("a")!.ConnectedTo.Should().Be("r1");
    }

    [Fact]
    public void GlobalScope_SameIpOnAnotherRouter_RefusedSayingAddressesAreUniqueAcrossRouters()
    {
        var manager = Manager(IpCollisionScope.Global);
        manager.CheckAndRegisterHost("a", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();

        var result = manager.TryRegisterHost("b", "10.0.0.1", "r2", "02:00:00:00:00:02");

        result.Collision.Should().Be(HostCollisionKind.IpAddress);
        result.Reason.Should().Be("IP 10.0.0.1 is already used by host a on router r1 (ip_collision_scope: global, so addresses are unique across routers)");
    }

    [Fact]
    public void RouterScope_HostsFileWithOneAddressOnTwoRouters_LoadsAndAThirdHostCollidesOnItsRouterOnly()
    {
        // tsim registers hosts per router, so its host_registry.json may hold one address twice.
        WriteLikePython("""
            {
              "pc1": {"primary_ip": "10.1.1.10/24", "connected_to": "hq-gw", "mac_address": "02:42:0a:01:01:0a", "created_at": "Thu Nov 26 14:43:11 2026"},
              "pc2": {"primary_ip": "10.1.1.10/24", "connected_to": "br-gw", "mac_address": "02:42:0a:01:01:0b", "created_at": "Thu Nov 26 14:43:12 2026"}
            }
            """);
        var manager = Manager(IpCollisionScope.Router);

        manager.ListAllHosts().Keys.Should().BeEquivalentTo("pc1", "pc2");
        var onBranch = manager.TryRegisterHost("pc3", "10.1.1.10", "br-gw", "02:42:0a:01:01:0c");
        var onHq = manager.TryRegisterHost("pc3", "10.1.1.10/32", "hq-gw", "02:42:0a:01:01:0c");
        var elsewhere = manager.TryRegisterHost("pc3", "10.1.1.10", "dc-gw", "02:42:0a:01:01:0c");

        onBranch.Reason.Should().Be("IP 10.1.1.10 is already used by host pc2 on the same router br-gw (ip_collision_scope: router)");
        onHq.Reason.Should().Be("IP 10.1.1.10 is already used by host pc1 on the same router hq-gw (ip_collision_scope: router)");
        elsewhere.IsRegistered.Should().BeTrue();
        manager.ListAllHosts().Keys.Should().BeEquivalentTo("pc1", "pc2", "pc3");
    }

    [Fact]
    public void GlobalScope_HostsFileWithOneAddressOnTwoRouters_LoadsAndTheAddressCollidesEverywhere()
    {
        WriteLikePython("""
            {
              "pc1": {"primary_ip": "10.1.1.10/24", "connected_to": "hq-gw", "mac_address": "02:42:0a:01:01:0a"},
              "pc2": {"primary_ip": "10.1.1.10/24", "connected_to": "br-gw", "mac_address": "02:42:0a:01:01:0b"}
            }
            """);
        var manager = Manager(IpCollisionScope.Global);

        manager.ListAllHosts().Should().HaveCount(2);
        manager.TryRegisterHost("pc3", "10.1.1.10", "br-gw", "02:42:0a:01:01:0c").Reason
            .Should().Be("IP 10.1.1.10 is already used by host pc1 on router hq-gw (ip_collision_scope: global, so addresses are unique across routers)");
        manager.UnregisterHost("pc1").Should().BeTrue();
        manager.TryRegisterHost("pc3", "10.1.1.10", "br-gw", "02:42:0a:01:01:0c").Reason.Should().Be("IP 10.1.1.10 is already used by host pc2");
    }

    [Fact]
    public void GlobalScope_HostWithoutConnectedTo_ReasonNamesNoEmptyRouter()
    {
        // Python always writes connected_to, but a hand-edited or older file may not have it.
        WriteLikePython("""{"py": {"primary_ip": "10.0.0.1", "mac_address": "02:00:00:00:00:01"}}""");
        var manager = Manager(IpCollisionScope.Global);

        var result = manager.TryRegisterHost("b", "10.0.0.1", "r1", "02:00:00:00:00:02");

        result.Collision.Should().Be(HostCollisionKind.IpAddress);
        result.CollidingHostName.Should().Be("py");
        result.Reason.Should().StartWith("IP 10.0.0.1 is already used by host py").And.NotContain("router  (").And.NotContain("router (");
    }

    [Fact]
    public void RouterScope_RoutersAreComparedAsWritten()
    {
        var manager = Manager(IpCollisionScope.Router);
        manager.CheckAndRegisterHost("a", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();

        manager.CheckAndRegisterHost("b", "10.0.0.1", "R1", "02:00:00:00:00:02").Should().BeTrue("tsim compares connected_to as written");
    }
}
