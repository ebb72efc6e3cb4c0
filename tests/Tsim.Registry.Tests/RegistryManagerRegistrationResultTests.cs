using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>
/// <see cref="RegistryManager.TryRegisterHost"/> and <see cref="RegistryManager.RegisterHost"/> report the collision the
/// library decided on under the hosts lock: the rule, the registered host and the reason, with nothing written.
/// </summary>
public sealed class RegistryManagerRegistrationResultTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly RegistryManager _manager;

    public RegistryManagerRegistrationResultTests()
    {
        _manager = _context.CreateManager();
        _manager.CheckAndRegisterHost("web-1", "10.0.0.10/24", "router-1", "02:00:00:00:00:0a").Should().BeTrue();
    }

    public void Dispose() => _context.Dispose();

    /// <summary>
    /// Name, IP and MAC collisions with web-1 (on router-1). An IP taken on another router names that router and the
    /// rule (the default global scope), since a tsim user would expect it to be accepted; on the same router it is plain.
    /// </summary>
    public static TheoryData<string, string, string, string, HostCollisionKind, string> Collisions => new()
    {
        { "web-1", "10.0.0.99", "router-2", "02:00:00:00:00:99", HostCollisionKind.HostName, "host name web-1 is already registered" },
        {
            "web-2", "10.0.0.10/16", "router-2", "02:00:00:00:00:99", HostCollisionKind.IpAddress,
            "IP 10.0.0.10 is already used by host web-1 on router router-1 (ip_collision_scope: global, so addresses are unique across routers)"
        },
        { "web-2", "10.0.0.10/16", "router-1", "02:00:00:00:00:99", HostCollisionKind.IpAddress, "IP 10.0.0.10 is already used by host web-1" },
        { "web-2", "10.0.0.99", "router-2", "02-00-00-00-00-0A", HostCollisionKind.MacAddress, "MAC 02:00:00:00:00:0a is already used by host web-1" },
        { "web-2", "10.0.0.99", "router-1", "02-00-00-00-00-0A", HostCollisionKind.MacAddress, "MAC 02:00:00:00:00:0a is already used by host web-1" },
    };

    [Theory]
    [MemberData(nameof(Collisions))]
    public void TryRegisterHost_Collision_ReportsRuleHostAndReasonAndWritesNothing(string name, string ip, string router, string mac, HostCollisionKind kind, string reason)
    {
        var before = File.ReadAllBytes(_context.HostsPath);

        var result = _manager.TryRegisterHost(name, ip, router, mac);

        result.IsRegistered.Should().BeFalse();
        result.Collision.Should().Be(kind);
        result.CollidingHostName.Should().Be("web-1");
        result.Reason.Should().Be(reason);
        File.ReadAllBytes(_context.HostsPath).Should().Equal(before);
    }

    [Fact]
    public void TryRegisterHost_New_ReportsRegisteredWithoutReason()
    {
        var result = _manager.TryRegisterHost("web-2", "10.0.0.11/24", "router-1", "02:00:00:00:00:0b");

        result.IsRegistered.Should().BeTrue();
        result.Collision.Should().Be(HostCollisionKind.None);
        result.CollidingHostName.Should().BeNull();
        result.Reason.Should().BeNull();
        _manager.GetHostInfo("web-2").Should().NotBeNull();
    }

    [Theory]
    [MemberData(nameof(Collisions))]
    public void RegisterHost_Collision_ThrowsRegistryCollisionExceptionNamingIt(string name, string ip, string router, string mac, HostCollisionKind kind, string reason)
    {
        var before = File.ReadAllBytes(_context.HostsPath);

        var act = () => _manager.RegisterHost(name, ip, router, mac);

        var thrown = act.Should().Throw<RegistryCollisionException>().Which;
        thrown.Collision.Should().Be(kind);
        thrown.CollidingHostName.Should().Be("web-1");
        thrown.Message.Should().Be($"Host '{name}' was not registered: {reason}.");
        File.ReadAllBytes(_context.HostsPath).Should().Equal(before);
    }

    [Fact]
    public void RegisterHost_New_Registers()
    {
        _manager.RegisterHost("web-2", "10.0.0.11/24", "router-1", "02:00:00:00:00:0b");

        _manager.GetHostInfo("web-2")!.PrimaryIp.Should().Be("10.0.0.11/24");
    }

    [Fact]
    public void TryRegisterHost_InvalidArgument_ThrowsBeforeTouchingTheRegistry()
    {
        var before = File.ReadAllBytes(_context.HostsPath);

        var act = () => _manager.TryRegisterHost("web/2", "10.0.0.11", "router-1", "02:00:00:00:00:0b");

        act.Should().Throw<ArgumentException>().WithParameterName("hostName");
        File.ReadAllBytes(_context.HostsPath).Should().Equal(before);
    }
}
