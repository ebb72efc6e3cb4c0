using System.Text.Json;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>Host and neighbour lease subcommands.</summary>
public sealed class LeaseCommandsTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Leases_TwoRuns_PrintsHostLeasesJsonShape()
    {
        await RegisterAsync("h1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01");
        (await _sandbox.RunAsync("lease-acquire", "run-1", "h1", "r1", "--dscp", "10")).Lines.Should().Equal("1");
        (await _sandbox.RunAsync("lease-acquire", "run-2", "h1", "r1", "--job-type", "detailed")).Lines.Should().Equal("2");

        var result = await _sandbox.RunAsync("leases");

        result.ExitCode.Should().Be(0, result.ToString());
        var entry = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("h1");
        entry.EnumerateObject().Select(p => p.Name).Should().Equal("leases", "router");
        entry.GetProperty("router").GetString().Should().Be("r1");
        var leases = entry.GetProperty("leases").EnumerateArray().ToList();
        leases.Should().HaveCount(2);
        leases[0].EnumerateObject().Select(p => p.Name).Should().Equal("allocated_at", "dscp", "job_type", "pid", "run_id");
        leases[0].GetProperty("run_id").GetString().Should().Be("run-1");
        leases[0].GetProperty("job_type").GetString().Should().Be("quick");
        leases[0].GetProperty("dscp").GetInt32().Should().Be(10);
        leases[1].GetProperty("job_type").GetString().Should().Be("detailed");
        leases[1].GetProperty("dscp").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Leases_HostWithoutLeases_PrintsEmptyEntryAsPython()
    {
        var result = await _sandbox.RunAsync("leases", "h9");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().Be("{\n  \"h9\": {}\n}");
    }

    [Fact]
    public async Task LeaseRelease_NoLease_ExitsTwoWithRegistryNotFoundException()
    {
        await RegisterAsync("h1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01");

        var result = await _sandbox.RunAsync("lease-release", "run-1", "h1");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith("ERROR RegistryNotFoundException: ");
    }

    [Fact]
    public async Task LeaseAcquire_UnregisteredHost_ExitsTwoWithRegistryNotFoundException()
    {
        var result = await _sandbox.RunAsync("lease-acquire", "run-1", "h1", "r1");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith("ERROR RegistryNotFoundException: ");
    }

    [Fact]
    public async Task NeighborLeases_AcquireTwiceReleaseTwice_CountsDownToShouldDelete()
    {
        (await _sandbox.RunAsync("neighbor-acquire", "run-1", "h1", "10.0.0.9")).Lines.Should().Equal("1");
        (await _sandbox.RunAsync("neighbor-acquire", "run-2", "h1", "10.0.0.9")).Lines.Should().Equal("2");

        (await _sandbox.RunAsync("neighbor-release", "run-1", "h1", "10.0.0.9")).Lines
            .Should().Equal("""{"ref_count": 1, "should_delete": false}""");
        (await _sandbox.RunAsync("neighbor-release", "run-2", "h1", "10.0.0.9")).Lines
            .Should().Equal("""{"ref_count": 0, "should_delete": true}""");
    }

    private async Task RegisterAsync(string name, string ip, string router, string mac)
    {
        var result = await _sandbox.RunAsync("register", name, ip, router, mac);
        result.ExitCode.Should().Be(0, result.ToString());
    }
}
