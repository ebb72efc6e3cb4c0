using System.Text.Json.Nodes;
using Tsim.Registry.IntegrationTests.Cli;
using Tsim.Registry.IntegrationTests.Interop;

namespace Tsim.Registry.IntegrationTests.TsimHost;

/// <summary>
/// Hosts registered and refused across a tsim process and the C# CLI on a tsim host: one <c>host_registry.json</c> in
/// <c>data_dir</c>, found by both sides from tsim's <c>config.json</c>, and IP collisions per router (tsim's rule).
/// </summary>
[Collection(PythonInterop.Name)]
public sealed class TsimHostHostTests : IDisposable
{
    /// <summary>The CLI's exit status of a negative outcome (ExitCodes.NegativeOutcome): COLLISION.</summary>
    private const int NegativeOutcome = 1;

    private readonly TsimHostSandbox _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task HostRegisteredByTsim_IsSeenByTheCli_AndTheCliRefusesEachCollisionWithItsReason()
    {
        var register = await _host.RunTsimAsync("register", "py1", "10.20.0.1/24", "r1", "02:aa:00:00:00:01", "--info", """{"namespace": "ns1"}""");
        register.Lines.Should().Equal(["REGISTERED"], register.ToString());

        // The CLI finds it through config.json alone (data_dir, registry_files.hosts) and prints what tsim prints.
        var tsimView = await _host.RunTsimAsync("host-info", "py1");
        var cliView = await _host.RunCliAsync("host-info", "py1");
        cliView.ExitCode.Should().Be(0, cliView.ToString());
        cliView.Lines.Single().Should().Be(tsimView.First);
        JsonNode.Parse(cliView.Lines.Single())!["namespace"]!.GetValue<string>().Should().Be("ns1");

        var before = File.ReadAllText(_host.DataPath("host_registry.json"));
        await ExpectCliCollisionAsync(["py1", "10.20.0.99/24", "r1", "02:aa:00:00:00:99"], "host name py1 is already registered");
        await ExpectCliCollisionAsync(
            ["c1", "10.20.0.1", "r1", "02:aa:00:00:00:98"], "IP 10.20.0.1 is already used by host py1 on the same router r1 (ip_collision_scope: router)");
        await ExpectCliCollisionAsync(["c2", "10.20.0.2/24", "r2", "02:aa:00:00:00:01"], "MAC 02:aa:00:00:00:01 is already used by host py1");
        File.ReadAllText(_host.DataPath("host_registry.json")).Should().Be(before, "a refused registration writes nothing");

        RegistryFilesInDataDirectory().Should().Equal(["host_registry.json"], "tsim's hosts file, never the specification's hosts.json");
        var file = PathStatus.Of(_host.DataPath("host_registry.json"));
        (file.Permissions, file.Gid).Should().Be((Convert.ToInt32("660", 8), (uint)TsimHostSandbox.GroupId), $"tsim shares its files with its group ({file})");
    }

    [Fact]
    public async Task HostRegisteredByTheCli_IsSeenByTsim_AndTsimRefusesEachCollision()
    {
        var register = await _host.RunCliAsync("register", "cs1", "10.30.0.1/24", "r2", "02:bb:00:00:00:01", "--info", """{"namespace": "ns2"}""");
        register.ExitCode.Should().Be(0, register.ToString());
        register.Lines.Should().Equal("REGISTERED");
        var file = PathStatus.Of(_host.DataPath("host_registry.json"));
        (file.Permissions, file.Gid).Should().Be((Convert.ToInt32("660", 8), (uint)TsimHostSandbox.GroupId), $"group mode writes 0660 of the group ({file})");

        var info = await _host.RunTsimAsync("host-info", "cs1");
        info.ExitCode.Should().Be(0, info.ToString());
        var host = JsonNode.Parse(info.First)!.AsObject();
        host["primary_ip"]!.GetValue<string>().Should().Be("10.30.0.1/24");
        host["connected_to"]!.GetValue<string>().Should().Be("r2");
        host["mac_address"]!.GetValue<string>().Should().Be("02:bb:00:00:00:01");
        host["namespace"]!.GetValue<string>().Should().Be("ns2");

        // The reference's own checks (name, IP on the same router, MAC) refuse them.
        foreach (var (arguments, what) in new (string[], string)[]
        {
            (["cs1", "10.30.0.99/24", "r2", "02:bb:00:00:00:99"], "the name"),
            (["p1", "10.30.0.1", "r2", "02:bb:00:00:00:98"], "the IP on the same router"),
            (["p2", "10.30.0.4/24", "r2", "02:bb:00:00:00:01"], "the MAC"),
        })
        {
            var refused = await _host.RunTsimAsync(["register", .. arguments]);
            refused.ExitCode.Should().Be(1, $"{what} is taken: {refused}");
            refused.Lines.Should().Equal("COLLISION");
        }

        JsonNode.Parse(File.ReadAllText(_host.DataPath("host_registry.json")))!.AsObject().Select(p => p.Key).Should().Equal("cs1");
        RegistryFilesInDataDirectory().Should().Equal(["host_registry.json"], "tsim's hosts file, never the specification's hosts.json");

        (await _host.RunTsimAsync("unregister", "cs1")).Lines.Should().Equal("UNREGISTERED");
        (await _host.RunCliAsync("host-info", "cs1")).Lines.Should().Equal("null");
    }

    [Fact]
    public async Task IpScopeRouter_IsTheDefaultOfATsimConfig_AcceptsOneIpOnTwoRouters_RefusesItOnOne()
    {
        (await _host.RunCliAsync("register", "a1", "10.9.0.1/24", "r1", "02:c0:00:00:00:01")).Lines.Should().Equal("REGISTERED");
        (await _host.RunCliAsync("register", "a2", "10.9.0.1/24", "r2", "02:c0:00:00:00:02")).Lines.Should().Equal(["REGISTERED"], "each router's LAN is its own network in tsim");
        await ExpectCliCollisionAsync(
            ["a3", "10.9.0.1", "r1", "02:c0:00:00:00:03"], "IP 10.9.0.1 is already used by host a1 on the same router r1 (ip_collision_scope: router)");
        await ExpectCliCollisionAsync(
            ["a4", "10.9.0.1/16", "r2", "02:c0:00:00:00:04"], "IP 10.9.0.1 is already used by host a2 on the same router r2 (ip_collision_scope: router)");

        // --ip-scope overrides the document's default: globally the address is taken, and the reason says why.
        var global = await _host.RunCliAsync("--ip-scope", "global", "register", "a5", "10.9.0.1", "r3", "02:c0:00:00:00:05");
        global.ExitCode.Should().Be(NegativeOutcome, global.ToString());
        global.Lines.Single().Should().MatchRegex(@"^COLLISION IP 10\.9\.0\.1 is already used by host a[12] on router r[12] \(ip_collision_scope: global, so addresses are unique across routers\)$");

        // Both hosts are in tsim's file, and tsim reads them.
        var tsimHosts = await _host.RunTsimAsync("hosts");
        JsonNode.Parse(tsimHosts.Stdout)!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("a1", "a2");
        var status = await _host.RunCliAsync("status");
        status.Lines[0].Should().Contain("IP scope router");
    }

    [Fact]
    public async Task IpScopeOption_OnASpecificationRegistry_RouterAcceptsTwoRouters_GlobalIsTheDefault()
    {
        using var spec = new CliSandbox();
        (await spec.RunAsync("register", "g1", "10.8.0.1/24", "r1", "02:c1:00:00:00:01")).Lines.Should().Equal("REGISTERED");
        var global = await spec.RunAsync("register", "g2", "10.8.0.1/24", "r2", "02:c1:00:00:00:02");
        global.ExitCode.Should().Be(NegativeOutcome, global.ToString());
        global.Lines.Should().Equal("COLLISION IP 10.8.0.1 is already used by host g1 on router r1 (ip_collision_scope: global, so addresses are unique across routers)");

        (await spec.RunAsync("--ip-scope", "router", "register", "g2", "10.8.0.1/24", "r2", "02:c1:00:00:00:02")).Lines.Should().Equal("REGISTERED");
        var sameRouter = await spec.RunAsync("--ip-scope", "router", "register", "g3", "10.8.0.1", "r1", "02:c1:00:00:00:03");
        sameRouter.ExitCode.Should().Be(NegativeOutcome, sameRouter.ToString());
        sameRouter.Lines.Should().Equal("COLLISION IP 10.8.0.1 is already used by host g1 on the same router r1 (ip_collision_scope: router)");
        File.Exists(Path.Combine(spec.RegistryDirectory, "hosts.json")).Should().BeTrue("without a tsim document the specification's file name stays");

        var typo = await spec.RunAsync("--ip-scope", "routers", "register", "g4", "10.8.0.4", "r1", "02:c1:00:00:00:04");
        typo.ExitCode.Should().Be(2, typo.ToString());
        typo.Stderr.Should().Contain("--ip-scope must be 'global' or 'router'");
    }

    private async Task ExpectCliCollisionAsync(string[] host, string reason)
    {
        var result = await _host.RunCliAsync(["register", .. host]);
        result.ExitCode.Should().Be(NegativeOutcome, result.ToString());
        result.Lines.Should().Equal($"COLLISION {reason}");
    }

    /// <summary>The registry files in data_dir (the lock directory and any temporary file left out of it would show).</summary>
    private List<string> RegistryFilesInDataDirectory() =>
        [.. Directory.EnumerateFileSystemEntries(_host.DataDirectory).Select(p => Path.GetFileName(p)).Where(n => n != "locks").Order(StringComparer.Ordinal)];
}
