using System.Text.Json;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>
/// Registration with the collision index (<see cref="HostKeyIndex"/>) decides exactly as the linear scan it
/// replaced: the same return values and the same collision reasons, across unregistrations, duplicates written by
/// Python and other processes' writes in between, in both IP collision scopes (<see cref="IpCollisionScope"/>). Two
/// managers on one registry stand for two processes: each has its own cached parse of <c>hosts.json</c>.
/// </summary>
public sealed class RegistryManagerCollisionIndexTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose() => _context.Dispose();

    private RegistryManager Manager(IpCollisionScope scope = IpCollisionScope.Global) =>
        _context.Track(new RegistryManager(_context.CreateOptions(o => o.IpCollisionScope = scope), _logs.CreateManagerLogger()));

    /// <summary>The reason of the last refused registration, as logged (event 5002, HostCollision).</summary>
    private string LastCollision() =>
        _logs.Entries.Last(e => e.EventId.Id == 5002).Message;

    /// <summary>Replaces hosts.json the way Python does: a new file renamed over the old one.</summary>
    private void WriteLikePython(string json)
    {
        _context.EnsureDirectories();
        var temp = _context.HostsPath + ".py.tmp";
        File.WriteAllText(temp, json);
        File.Move(temp, _context.HostsPath, overwrite: true);
    }

    [Fact]
    public void RegisterUnregisterRegister_ReusingTheAddressesOfTheRemovedHost_Succeeds()
    {
        var manager = Manager();
        manager.CheckAndRegisterHost("a", "10.0.0.1/24", "r1", "02:00:00:00:00:01").Should().BeTrue();
        manager.UnregisterHost("a").Should().BeTrue();

        manager.CheckAndRegisterHost("b", "10.0.0.1/16", "r1", "02-00-00-00-00-01").Should().BeTrue();

        manager.GetHostInfo("b")!.MacAddress.Should().Be("02:00:00:00:00:01");
    }

    [Fact]
    public void RefusedRegistration_LeavesNothingCounted()
    {
        var manager = Manager();
        manager.CheckAndRegisterHost("a", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();
        manager.CheckAndRegisterHost("b", "10.0.0.2", "r1", "02:00:00:00:00:01").Should().BeFalse();

        manager.UnregisterHost("a").Should().BeTrue();

        manager.CheckAndRegisterHost("c", "10.0.0.2", "r1", "02:00:00:00:00:03").Should().BeTrue("b's IP was never registered");
        manager.CheckAndRegisterHost("d", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue("a's IP and MAC are free again");
    }

    [Fact]
    public void PythonDuplicates_UnregisterOneOfTwoHostsSharingAnAddress_TheAddressStillCollides()
    {
        WriteLikePython("""
            {
              "py-1": {"primary_ip": "10.0.0.5/24", "connected_to": "r1", "mac_address": "02:00:00:00:00:05"},
              "py-2": {"primary_ip": "10.0.0.5", "connected_to": "r2", "mac_address": "02-00-00-00-00-05"}
            }
            """);
        var manager = Manager();

        manager.UnregisterHost("py-1").Should().BeTrue();

        manager.CheckAndRegisterHost("new-ip", "10.0.0.5/32", "r1", "02:00:00:00:00:99").Should().BeFalse();
        LastCollision().Should().Be(
            "Did not register host new-ip: IP 10.0.0.5 is already used by host py-2 on router r2 (ip_collision_scope: global, so addresses are unique across routers)");
        manager.CheckAndRegisterHost("new-mac", "10.0.0.99", "r1", "02:00:00:00:00:05").Should().BeFalse();
        LastCollision().Should().Be("Did not register host new-mac: MAC 02:00:00:00:00:05 is already used by host py-2");

        manager.UnregisterHost("py-2").Should().BeTrue();
        manager.CheckAndRegisterHost("new-ip", "10.0.0.5", "r1", "02:00:00:00:00:05").Should().BeTrue("the last holder of the address is gone");
    }

    [Fact]
    public void CollisionReasons_AreTheLinearScansFirstMatchInFileOrder()
    {
        WriteLikePython("""
            {
              "first": {"primary_ip": "10.0.0.1", "connected_to": "r1", "mac_address": "02:00:00:00:00:02"},
              "second": {"primary_ip": "10.0.0.2", "connected_to": "r1", "mac_address": "02:00:00:00:00:01"}
            }
            """);
        var manager = Manager();

        // Collides with second by IP and with first by MAC: the scan meets first (by MAC) before second.
        manager.CheckAndRegisterHost("x", "10.0.0.2", "r1", "02:00:00:00:00:02").Should().BeFalse();
        LastCollision().Should().Be("Did not register host x: MAC 02:00:00:00:00:02 is already used by host first");

        // Collides with first by IP and with second by MAC: IP of first.
        manager.CheckAndRegisterHost("x", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeFalse();
        LastCollision().Should().Be("Did not register host x: IP 10.0.0.1 is already used by host first");

        manager.CheckAndRegisterHost("first", "10.0.0.9", "r1", "02:00:00:00:00:09").Should().BeFalse();
        LastCollision().Should().Be("Did not register host first: host name first is already registered");
    }

    [Fact]
    public void AnotherProcessReplacedTheFileWithAsManyHosts_TheIndexDescribesTheNewContent()
    {
        var one = Manager();
        var other = Manager();
        one.CheckAndRegisterHost("h1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();

        // Same host count, other addresses: only a new parse (with a new index) can tell.
        other.UnregisterHost("h1").Should().BeTrue();
        other.CheckAndRegisterHost("h2", "10.0.0.2", "r1", "02:00:00:00:00:02").Should().BeTrue();

        one.CheckAndRegisterHost("x", "10.0.0.2", "r1", "02:00:00:00:00:77").Should().BeFalse("h2's IP is taken now");
        LastCollision().Should().EndWith("IP 10.0.0.2 is already used by host h2");
        one.CheckAndRegisterHost("y", "10.0.0.7", "r1", "02:00:00:00:00:02").Should().BeFalse("h2's MAC is taken now");
        one.CheckAndRegisterHost("h1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue("h1 and its addresses are free again");
        other.CheckAndRegisterHost("z", "10.0.0.1", "r1", "02:00:00:00:00:55").Should().BeFalse("and the other process sees that too");
    }

    [Fact]
    public void PythonWroteInBetween_SameCountOtherAddresses_IndexFollowsTheFile()
    {
        var manager = Manager();
        manager.CheckAndRegisterHost("h1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();

        WriteLikePython("""{"py": {"primary_ip": "10.0.0.8", "connected_to": "r1", "mac_address": "02:00:00:00:00:08"}}""");

        manager.CheckAndRegisterHost("a", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue("h1 is gone from the file");
        manager.CheckAndRegisterHost("b", "10.0.0.8", "r1", "02:00:00:00:00:0b").Should().BeFalse();
        manager.UnregisterHost("py").Should().BeTrue();
        manager.CheckAndRegisterHost("b", "10.0.0.8", "r1", "02:00:00:00:00:08").Should().BeTrue();
    }

    [Fact]
    public void RouterScope_PythonDuplicatesOnTwoRouters_UnregisteringOneFreesTheAddressOnItsRouterOnly()
    {
        WriteLikePython("""
            {
              "py-1": {"primary_ip": "10.0.0.5/24", "connected_to": "r1", "mac_address": "02:00:00:00:00:01"},
              "py-2": {"primary_ip": "10.0.0.5", "connected_to": "r2", "mac_address": "02:00:00:00:00:02"},
              "py-3": {"primary_ip": "10.0.0.5/32", "connected_to": "r2", "mac_address": "02:00:00:00:00:03"}
            }
            """);
        var manager = Manager(IpCollisionScope.Router);

        manager.CheckAndRegisterHost("a", "10.0.0.5", "r3", "02:00:00:00:00:0a").Should().BeTrue("no host on r3 has the address");
        manager.UnregisterHost("py-1").Should().BeTrue();
        manager.UnregisterHost("py-2").Should().BeTrue();

        manager.CheckAndRegisterHost("b", "10.0.0.5", "r2", "02:00:00:00:00:0b").Should().BeFalse("py-3 still has it on r2");
        LastCollision().Should().Be("Did not register host b: IP 10.0.0.5 is already used by host py-3 on the same router r2 (ip_collision_scope: router)");
        manager.CheckAndRegisterHost("c", "10.0.0.5", "r1", "02:00:00:00:00:0c").Should().BeTrue("py-1, its only holder on r1, is gone");
    }

    [Fact]
    public void RouterScope_SameAddressOnTwoRouters_CountedPerRouter()
    {
        var manager = Manager(IpCollisionScope.Router);
        manager.CheckAndRegisterHost("a", "10.0.0.1/24", "r1", "02:00:00:00:00:01").Should().BeTrue();
        manager.CheckAndRegisterHost("b", "10.0.0.1/16", "r2", "02:00:00:00:00:02").Should().BeTrue();

        manager.UnregisterHost("a").Should().BeTrue();

        manager.CheckAndRegisterHost("c", "10.0.0.1", "r2", "02:00:00:00:00:03").Should().BeFalse("b keeps the address on r2");
        manager.CheckAndRegisterHost("d", "10.0.0.1", "r1", "02:00:00:00:00:04").Should().BeTrue("a's removal freed it on r1");
    }

    /// <summary>
    /// Random registrations and unregistrations from two managers, with Python rewriting the file now and then,
    /// against an oracle that scans <c>hosts.json</c> itself: return values and collision reasons must agree, in both
    /// scopes, with hosts on two routers.
    /// </summary>
    [Theory]
    [InlineData(1, IpCollisionScope.Global)]
    [InlineData(2, IpCollisionScope.Global)]
    [InlineData(3, IpCollisionScope.Global)]
    [InlineData(1, IpCollisionScope.Router)]
    [InlineData(2, IpCollisionScope.Router)]
    [InlineData(3, IpCollisionScope.Router)]
    public void RandomOperations_AgreeWithALinearScanOfTheFile(int seed, IpCollisionScope scope)
    {
        string[] names = ["n0", "n1", "n2", "n3", "n4", "n5"];
        string[] routers = ["r1", "r2"];
        string[] ips = ["10.0.0.1", "10.0.0.1/24", "10.0.0.2", "10.0.0.3/8", "2001:db8::1", "2001:DB8:0::1/64"];
        string[] macs = ["02:00:00:00:00:01", "02-00-00-00-00-01", "02:00:00:00:00:02", "02:AA:00:00:00:03", "02:aa:00:00:00:03", "02:00:00:00:00:04", "02:00:00:00:00:05"];
        var managers = new[] { Manager(scope), Manager(scope) };
        var random = new Random(seed);
        var outcomes = new HashSet<string>(StringComparer.Ordinal);

        for (var step = 0; step < 150; step++)
        {
            var manager = managers[random.Next(2)];
            var name = names[random.Next(names.Length)];
            var file = FileHosts();
            var context = $"seed {seed}, {scope} scope, step {step}";
            switch (random.Next(10))
            {
                case < 6:
                    var ip = ips[random.Next(ips.Length)];
                    var mac = macs[random.Next(macs.Length)];
                    var router = routers[random.Next(routers.Length)];
                    var expected = Scan(file, scope, name, ip, router, mac);
                    manager.CheckAndRegisterHost(name, ip, router, mac).Should().Be(expected is null, $"{context}: register {name} {ip} on {router} {mac}");
                    if (expected is not null)
                    {
                        LastCollision().Should().Be($"Did not register host {name}: {expected}", context);
                    }

                    outcomes.Add(Outcome(file, expected, ip, router));
                    break;
                case < 9:
                    manager.UnregisterHost(name).Should().Be(file.Any(h => h.Name == name), $"{context}: unregister {name}");
                    break;
                default:
                    // Python adds a host without checking anything: duplicates of IP or MAC included.
                    var hosts = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.Exists(_context.HostsPath) ? File.ReadAllText(_context.HostsPath) : "{}")!;
                    hosts[$"py{step}"] = JsonSerializer.SerializeToElement(new Dictionary<string, string>
                    {
                        ["primary_ip"] = ips[random.Next(ips.Length)],
                        ["connected_to"] = routers[random.Next(routers.Length)],
                        ["mac_address"] = macs[random.Next(macs.Length)],
                    });
                    WriteLikePython(JsonSerializer.Serialize(hosts));
                    break;
            }
        }

        // The run met every case of its scope, so the agreement above means something.
        outcomes.Should().Contain(scope == IpCollisionScope.Global
            ? ["registered", "IP on the same router", "IP on another router", "MAC"]
            : ["registered", "registered beside the same IP on another router", "IP on the same router", "MAC"]);
    }

    private static string Outcome(List<(string Name, string IpKey, string? Router, string MacKey)> file, string? reason, string ip, string router) => reason switch
    {
        null => file.Any(h => h.IpKey == NetworkAddresses.AddressKey(ip) && h.Router != router) ? "registered beside the same IP on another router" : "registered",
        _ when reason.StartsWith("IP ", StringComparison.Ordinal) => reason.Contains(" on router ", StringComparison.Ordinal) ? "IP on another router" : "IP on the same router",
        _ when reason.StartsWith("MAC ", StringComparison.Ordinal) => "MAC",
        _ => "name",
    };

    private List<(string Name, string IpKey, string? Router, string MacKey)> FileHosts()
    {
        if (!File.Exists(_context.HostsPath))
        {
            return [];
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(_context.HostsPath));
        return [.. document.RootElement.EnumerateObject().Select(p => (
            p.Name,
            NetworkAddresses.AddressKey(p.Value.GetProperty("primary_ip").GetString()),
            p.Value.TryGetProperty("connected_to", out var router) ? router.GetString() : null,
            NetworkAddresses.MacKey(p.Value.GetProperty("mac_address").GetString())))];
    }

    /// <summary>
    /// The specification's check, as the library did it before the index: name, then each host in order; in the router
    /// scope only a host on the same router collides by IP. The IP reason names the router where the rule is not plain:
    /// always in the router scope, and in the global scope when the host is on another router.
    /// </summary>
    private static string? Scan(List<(string Name, string IpKey, string? Router, string MacKey)> hosts, IpCollisionScope scope, string name, string ip, string router, string mac)
    {
        if (hosts.Any(h => h.Name == name))
        {
            return $"host name {name} is already registered";
        }

        var ipKey = NetworkAddresses.AddressKey(ip);
        var macKey = NetworkAddresses.MacKey(mac);
        foreach (var host in hosts)
        {
            var sameRouter = host.Router == router;
            if (host.IpKey == ipKey && scope == IpCollisionScope.Router && sameRouter)
            {
                return $"IP {ipKey} is already used by host {host.Name} on the same router {router} (ip_collision_scope: router)";
            }

            if (host.IpKey == ipKey && scope == IpCollisionScope.Global)
            {
                return sameRouter
                    ? $"IP {ipKey} is already used by host {host.Name}"
                    : $"IP {ipKey} is already used by host {host.Name} on router {host.Router} (ip_collision_scope: global, so addresses are unique across routers)";
            }

            if (host.MacKey == macKey)
            {
                return $"MAC {macKey} is already used by host {host.Name}";
            }
        }

        return null;
    }
}
