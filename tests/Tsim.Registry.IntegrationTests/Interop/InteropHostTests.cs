using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Tsim.Registry.IntegrationTests.Interop;

/// <summary>Hosts registered, refused and removed across the two implementations (docs/ARCHITECTURE.md, "Compatibility with the Python implementation").</summary>
[Collection(PythonInterop.Name)]
public sealed partial class InteropHostTests : IDisposable
{
    private readonly InteropSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task HostRegisteredByPython_IsSeenByCSharpWithEveryField_AndCSharpDuplicatesAreRefused()
    {
        var register = await _sandbox.RunPythonAsync(
            "register", "py1", "10.20.0.1/24", "r1", "02:aa:00:00:00:01", "--info", """{"namespace": "ns1", "secondary_ips": ["10.1.0.1/24"]}""");
        register.First.Should().Be("REGISTERED", register.ToString());
        var raw = _sandbox.ReadHostsFile()["py1"]!.AsObject();

        var manager = _sandbox.CreateManager();
        var host = manager.GetHostInfo("py1");
        host.Should().NotBeNull();
        host!.Name.Should().Be("py1");
        host.PrimaryIp.Should().Be("10.20.0.1/24");
        host.ConnectedTo.Should().Be("r1");
        host.MacAddress.Should().Be("02:aa:00:00:00:01");
        host.CreatedAt.Should().Be(raw["created_at"]!.GetValue<string>());
        host.RegisteredAt.Should().NotBeNull();
        host.RegisteredAt!.Value.ToUnixTimeMilliseconds().Should().BeCloseTo((long)(raw["registered_at_timestamp"]!.GetValue<double>() * 1000), 1);
        host.AdditionalInfo.Keys.Should().BeEquivalentTo("namespace", "secondary_ips");
        host.AdditionalInfo["namespace"].GetString().Should().Be("ns1");
        host.AdditionalInfo["secondary_ips"].EnumerateArray().Select(e => e.GetString()).Should().Equal("10.1.0.1/24");

        // The C# CLI prints the entry as the Python client does (json.dumps, sort_keys): the same text.
        var pythonView = await _sandbox.RunPythonAsync("host-info", "py1");
        var cliView = await _sandbox.RunCliAsync("host-info", "py1");
        cliView.ExitCode.Should().Be(0, cliView.ToString());
        cliView.Lines.Single().Should().Be(pythonView.First);

        // The same name, the same IP (bare, same prefix length, another one) or the same MAC: refused, nothing written.
        var before = File.ReadAllText(_sandbox.PathOf("hosts.json"));
        manager.CheckAndRegisterHost("py1", "10.20.0.99/24", "r1", "02:aa:00:00:00:99").Should().BeFalse("the name is taken");
        manager.CheckAndRegisterHost("c1", "10.20.0.1", "r1", "02:aa:00:00:00:98").Should().BeFalse("the IP is taken (no prefix length)");
        manager.CheckAndRegisterHost("c2", "10.20.0.1/24", "r1", "02:aa:00:00:00:97").Should().BeFalse("the IP is taken (same prefix length)");
        manager.CheckAndRegisterHost("c3", "10.20.0.1/16", "r1", "02:aa:00:00:00:96").Should().BeFalse("the IP is taken (other prefix length)");
        manager.CheckAndRegisterHost("c4", "10.20.0.4/24", "r1", "02:aa:00:00:00:01").Should().BeFalse("the MAC is taken");
        var cliDuplicate = await _sandbox.RunCliAsync("register", "c5", "10.20.0.1", "r1", "02:aa:00:00:00:95");
        cliDuplicate.ExitCode.Should().Be(1, cliDuplicate.ToString());
        cliDuplicate.Lines[0].Should().StartWith("COLLISION");
        File.ReadAllText(_sandbox.PathOf("hosts.json")).Should().Be(before, "a refused registration writes nothing");

        // Unregistered from the C# side: gone for Python too.
        manager.UnregisterHost("py1").Should().BeTrue();
        (await _sandbox.RunPythonAsync("host-info", "py1")).First.Should().Be("null");
        (await _sandbox.RunPythonAsync("unregister", "py1")).First.Should().Be("NOT_FOUND");
    }

    [Fact]
    public async Task HostRegisteredByCSharp_IsSeenByPythonWithEveryField_AndPythonDuplicatesAreRefused()
    {
        var register = await _sandbox.RunCliAsync("register", "cs1", "10.30.0.1/24", "r2", "02:bb:00:00:00:01", "--info", """{"namespace": "ns2"}""");
        register.ExitCode.Should().Be(0, register.ToString());
        register.Lines.Should().Equal("REGISTERED");

        var info = await _sandbox.RunPythonAsync("host-info", "cs1");
        info.ExitCode.Should().Be(0, info.ToString());
        var host = JsonNode.Parse(info.First)!.AsObject();
        host.Select(p => p.Key).Should().BeEquivalentTo("primary_ip", "connected_to", "mac_address", "created_at", "registered_at_timestamp", "namespace");
        host["primary_ip"]!.GetValue<string>().Should().Be("10.30.0.1/24");
        host["connected_to"]!.GetValue<string>().Should().Be("r2");
        host["mac_address"]!.GetValue<string>().Should().Be("02:bb:00:00:00:01");
        host["namespace"]!.GetValue<string>().Should().Be("ns2");
        host["created_at"]!.GetValue<string>().Should().MatchRegex(CTimeFormat().ToString(), "time.strftime('%c') in the C locale");
        host["registered_at_timestamp"]!.GetValueKind().Should().Be(JsonValueKind.Number);
        host["registered_at_timestamp"]!.GetValue<double>().Should().BeApproximately(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0, 120);

        // Python's own collision checks refuse the same name, IP (with or without prefix length) and MAC.
        (await _sandbox.RunPythonAsync("register", "cs1", "10.30.0.99/24", "r2", "02:bb:00:00:00:99")).First.Should().Be("COLLISION");
        (await _sandbox.RunPythonAsync("register", "p1", "10.30.0.1", "r2", "02:bb:00:00:00:98")).First.Should().Be("COLLISION");
        (await _sandbox.RunPythonAsync("register", "p2", "10.30.0.1/24", "r2", "02:bb:00:00:00:97")).First.Should().Be("COLLISION");
        (await _sandbox.RunPythonAsync("register", "p3", "10.30.0.1/16", "r2", "02:bb:00:00:00:96")).First.Should().Be("COLLISION");
        (await _sandbox.RunPythonAsync("register", "p4", "10.30.0.4/24", "r2", "02:bb:00:00:00:01")).First.Should().Be("COLLISION");
        _sandbox.ReadHostsFile().Select(p => p.Key).Should().Equal("cs1");

        // Unregistered from the Python side: gone for C# too.
        (await _sandbox.RunPythonAsync("unregister", "cs1")).First.Should().Be("UNREGISTERED");
        _sandbox.CreateManager().GetHostInfo("cs1").Should().BeNull();
        (await _sandbox.RunCliAsync("unregister", "cs1")).Lines.Should().Equal("NOT_FOUND");
    }

    [Fact]
    public async Task FieldsUnknownToCSharp_SurviveAnyNumberOfCSharpReadModifyWrites()
    {
        const string Info = """{"namespace": "ns1", "secondary_ips": ["10.1.0.1/24"], "nested": {"a": [1, 2.5, null, true, "x"]}, "big": 12345678901234567890}""";
        var register = await _sandbox.RunPythonAsync("register", "keep", "10.50.0.1/24", "r1", "02:cc:00:00:00:01", "--info", Info);
        register.First.Should().Be("REGISTERED", register.ToString());
        var before = _sandbox.ReadHostsFile()["keep"]!.DeepClone();

        // Leases do not touch hosts.json; registrations and removals of other hosts rewrite all of it.
        var manager = _sandbox.CreateManager();
        for (var i = 0; i < 25; i++)
        {
            manager.CheckAndRegisterHost($"tmp{i}", $"10.51.0.{i + 1}/24", "r1", $"02:cc:00:00:01:{i:x2}").Should().BeTrue();
            if (i % 2 == 0)
            {
                manager.UnregisterHost($"tmp{i}").Should().BeTrue();
            }
        }

        (await _sandbox.RunCliAsync("register", "cli1", "10.52.0.1", "r1", "02:cc:00:00:02:01")).ExitCode.Should().Be(0);
        (await _sandbox.RunCliAsync("unregister", "tmp1")).ExitCode.Should().Be(0);

        var after = _sandbox.ReadHostsFile()["keep"]!;
        JsonNode.DeepEquals(after, before).Should().BeTrue($"before: {before.ToJsonString()}\nafter:  {after.ToJsonString()}");
        after["registered_at_timestamp"]!.ToJsonString().Should().Be(before["registered_at_timestamp"]!.ToJsonString(), "the float is kept as written");
        after["big"]!.ToJsonString().Should().Be("12345678901234567890", "an integer beyond 64 bits is kept as written");

        // And Python still reads its own entry as it wrote it.
        var pythonView = await _sandbox.RunPythonAsync("host-info", "keep");
        JsonNode.DeepEquals(JsonNode.Parse(pythonView.First), before).Should().BeTrue(pythonView.ToString());
    }

    [Fact]
    public async Task SpellingsOfOneMac_AreOneMacForCSharp_ButNotForPythonsLiteralCheck()
    {
        // By design (README, remaining differences): C# stores and compares canonical spellings, Python compares strings.
        (await _sandbox.RunPythonAsync("register", "pyu", "10.70.0.1/24", "r1", "02:AB:00:00:00:01")).First.Should().Be("REGISTERED");
        var manager = _sandbox.CreateManager();
        manager.CheckAndRegisterHost("csu", "10.70.0.2/24", "r1", "02:ab:00:00:00:01").Should().BeFalse("C# compares MACs canonically");
        manager.CheckAndRegisterHost("csv", "10.70.0.3/24", "r1", "02-AB-00-00-00-02").Should().BeTrue();
        _sandbox.ReadHostsFile()["csv"]!["mac_address"]!.GetValue<string>().Should().Be("02:ab:00:00:00:02", "C# stores the canonical spelling");
        (await _sandbox.RunPythonAsync("register", "pyv", "10.70.0.4/24", "r1", "02:AB:00:00:00:02")).First.Should().Be(
            "REGISTERED", "Python's own check compares the strings as written (a defect of the spec, documented)");
    }

    /// <summary><c>time.strftime('%c')</c> in the C locale, e.g. <c>Thu Nov 26 14:43:11 2026</c> (day padded with a space).</summary>
    [GeneratedRegex(@"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] [0-9]{4}$")]
    private static partial Regex CTimeFormat();
}
