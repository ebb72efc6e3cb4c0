using System.Text.Json;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary><c>register</c>, <c>unregister</c>, <c>hosts</c>, <c>host-info</c>, run as real processes.</summary>
public sealed class HostCommandsTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Register_SameName_PrintsCollisionWithReasonAndExitsOne()
    {
        (await _sandbox.RunAsync("register", "h1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01")).ExitCode.Should().Be(0);

        var result = await _sandbox.RunAsync("register", "h1", "10.0.0.2", "r1", "aa:bb:cc:dd:ee:02");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Lines.Should().Equal("COLLISION host name h1 is already registered");
    }

    [Fact]
    public async Task Register_SameIpOtherPrefixLength_PrintsCollisionNamingTheHolder()
    {
        (await _sandbox.RunAsync("register", "h1", "10.0.0.1/24", "r1", "aa:bb:cc:dd:ee:01")).ExitCode.Should().Be(0);

        var result = await _sandbox.RunAsync("register", "h2", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:02");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Lines.Should().Equal("COLLISION IP 10.0.0.1 is already used by host h1");
    }

    [Fact]
    public async Task Register_InvalidIp_ExitsTwoWithArgumentExceptionOnStderr()
    {
        var result = await _sandbox.RunAsync("register", "h1", "999.0.0.1", "r1", "aa:bb:cc:dd:ee:01");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Lines.Should().BeEmpty();
        result.Stderr.Should().StartWith("ERROR ArgumentException: ").And.Contain("primaryIp").And.Contain("999.0.0.1");
        File.Exists(Path.Combine(_sandbox.RegistryDirectory, "hosts.json")).Should().BeFalse("nothing is written on bad input");
    }

    [Fact]
    public async Task Register_InfoNotAnObject_ExitsTwoWithArgumentException()
    {
        var result = await _sandbox.RunAsync("register", "h1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01", "--info", "[1]");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith("ERROR ArgumentException: --info must be a JSON object");
    }

    [Fact]
    public async Task Unregister_UnknownHost_PrintsNotFoundAndExitsOne()
    {
        var result = await _sandbox.RunAsync("unregister", "nobody");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Lines.Should().Equal("NOT_FOUND");
    }

    [Fact]
    public async Task Hosts_WithAdditionalInfo_PrintsSortedHostsJsonShape()
    {
        (await _sandbox.RunAsync(
            "register", "h1", "10.0.0.1/24", "r1", "AA:BB:CC:DD:EE:01", "--info", """{"zone": {"b": 1, "a": 2}, "role": "src"}""")).ExitCode.Should().Be(0);

        var result = await _sandbox.RunAsync("hosts");

        result.ExitCode.Should().Be(0, result.ToString());
        var host = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("h1");
        host.EnumerateObject().Select(p => p.Name).Should().Equal(
            "connected_to", "created_at", "mac_address", "primary_ip", "registered_at_timestamp", "role", "zone");
        host.GetProperty("zone").EnumerateObject().Select(p => p.Name).Should().Equal("a", "b");
        host.GetProperty("primary_ip").GetString().Should().Be("10.0.0.1/24");
        host.GetProperty("mac_address").GetString().Should().Be("aa:bb:cc:dd:ee:01");
        host.GetProperty("connected_to").GetString().Should().Be("r1");
        host.GetProperty("registered_at_timestamp").GetDouble().Should().BeApproximately(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 600);
        result.Lines[1].Should().Be("  \"h1\": {", "the layout is Python's json.dumps(indent=2)");
    }

    [Fact]
    public async Task HostInfo_UnknownHost_PrintsNullAndExitsZero()
    {
        var result = await _sandbox.RunAsync("host-info", "nobody");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().Equal("null");
    }

    [Fact]
    public async Task Hosts_EmptyRegistry_PrintsEmptyObject()
    {
        var result = await _sandbox.RunAsync("hosts");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().Equal("{}");
    }
}
