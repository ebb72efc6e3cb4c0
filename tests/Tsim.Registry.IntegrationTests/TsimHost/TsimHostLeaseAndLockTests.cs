using System.Text.Json.Nodes;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Tsim.Registry.IntegrationTests.Interop;

namespace Tsim.Registry.IntegrationTests.TsimHost;

/// <summary>Host and neighbour leases counted across tsim and the CLI, and router locks held on one side, respected on the other.</summary>
[Collection(PythonInterop.Name)]
public sealed class TsimHostLeaseAndLockTests : IDisposable
{
    private readonly TsimHostSandbox _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task HostLeases_FromTsimAndTheCli_AddUpInTsimsFile_AndTheLastReleaseReportsShouldDelete()
    {
        (await _host.RunTsimAsync("register", "lh1", "10.40.0.1/24", "r4", "02:dd:00:00:00:01")).Lines.Should().Equal("REGISTERED");

        (await _host.RunTsimAsync("lease-acquire", "py-a", "lh1", "r4")).Lines.Should().Equal("1");
        (await _host.RunCliAsync("lease-acquire", "cs-a", "lh1", "r4")).Lines.Should().Equal("2");
        (await _host.RunTsimAsync("lease-acquire", "py-b", "lh1", "r4", "--job-type", "detailed", "--dscp", "46")).Lines.Should().Equal("3");
        (await _host.RunCliAsync("lease-count", "lh1")).Lines.Should().Equal("3");
        (await _host.RunTsimAsync("lease-count", "lh1")).Lines.Should().Equal("3");
        var cliView = JsonNode.Parse((await _host.RunCliAsync("leases", "lh1")).Stdout)!["lh1"]!;
        cliView["router"]!.GetValue<string>().Should().Be("r4");
        cliView["leases"]!.AsArray().Select(l => l!["run_id"]!.GetValue<string>()).Should().Equal("py-a", "cs-a", "py-b");

        Release(await _host.RunTsimAsync("lease-release", "py-a", "lh1")).Should().Be((2, false));
        Release(await _host.RunCliAsync("lease-release", "cs-a", "lh1")).Should().Be((1, false));
        Release(await _host.RunTsimAsync("lease-release", "py-b", "lh1")).Should().Be((0, true));

        // Round 2: the last release comes from the CLI.
        (await _host.RunCliAsync("lease-acquire", "cs-c", "lh1", "r4")).Lines.Should().Equal("1");
        (await _host.RunTsimAsync("lease-acquire", "py-c", "lh1", "r4")).Lines.Should().Equal("2");
        Release(await _host.RunTsimAsync("lease-release", "py-c", "lh1")).Should().Be((1, false));
        Release(await _host.RunCliAsync("lease-release", "cs-c", "lh1")).Should().Be((0, true));
        (await _host.RunTsimAsync("lease-count", "lh1")).Lines.Should().Equal("0");

        JsonNode.Parse(File.ReadAllText(_host.DataPath("host_leases.json")))!.AsObject().Should().BeEmpty();
        var file = PathStatus.Of(_host.DataPath("host_leases.json"));
        (file.Permissions, file.Gid).Should().Be((Convert.ToInt32("660", 8), (uint)TsimHostSandbox.GroupId), file.ToString());
    }

    [Fact]
    public async Task NeighborLeases_FromTsimAndTheCli_AddUpInTsimsFile_AndTheLastReleaseReportsShouldDelete()
    {
        (await _host.RunTsimAsync("neighbor-acquire", "py-a", "lh1", "10.40.0.9")).Lines.Should().Equal("1");
        (await _host.RunCliAsync("neighbor-acquire", "cs-a", "lh1", "10.40.0.9")).Lines.Should().Equal("2");
        (await _host.RunTsimAsync("neighbor-acquire", "py-b", "lh1", "10.40.0.9")).Lines.Should().Equal("3");
        Release(await _host.RunCliAsync("neighbor-release", "cs-a", "lh1", "10.40.0.9")).Should().Be((2, false));
        Release(await _host.RunTsimAsync("neighbor-release", "py-a", "lh1", "10.40.0.9")).Should().Be((1, false));
        Release(await _host.RunTsimAsync("neighbor-release", "py-b", "lh1", "10.40.0.9")).Should().Be((0, true));

        (await _host.RunTsimAsync("neighbor-acquire", "py-c", "lh1", "10.40.0.9")).Lines.Should().Equal("1");
        (await _host.RunCliAsync("neighbor-acquire", "cs-c", "lh1", "10.40.0.9")).Lines.Should().Equal("2");
        Release(await _host.RunTsimAsync("neighbor-release", "py-c", "lh1", "10.40.0.9")).Should().Be((1, false));
        Release(await _host.RunCliAsync("neighbor-release", "cs-c", "lh1", "10.40.0.9")).Should().Be((0, true));

        JsonNode.Parse(File.ReadAllText(_host.DataPath("neighbor_leases.json")))!.AsObject().Should().BeEmpty();
        Directory.EnumerateFiles(_host.DataDirectory).Select(Path.GetFileName).Should().Equal("neighbor_leases.json");
    }

    [Fact]
    public async Task RouterLock_HeldByTheCli_TimesTsimOut_AndHeldByTsim_TimesTheCliOut()
    {
        var cli = _host.StartCli("lock", "r1", "cs-job", "--hold", "-1");
        (await cli.ReadLineAsync()).Should().StartWith("ACQUIRED", cli.Stderr);
        var tsimTry = await _host.RunTsimAsync("trylock", "r1", "py-job", "--timeout", "0.3");
        tsimTry.ExitCode.Should().Be(1, tsimTry.ToString());
        tsimTry.Lines.Should().Equal("TIMEOUT");
        (await _host.RunTsimAsync("is-locked", "r1")).Lines.Should().Equal("true");
        File.Exists(Path.Combine(_host.LockDirectory, "tsim-router-r1")).Should().BeTrue("the owner record is tsim's lock file, in tsim's lock_dir");
        await cli.WriteLineAsync("release");
        (await cli.ReadLineAsync()).Should().StartWith("RELEASED");
        (await cli.CompleteAsync()).ExitCode.Should().Be(0);
        (await _host.RunTsimAsync("is-locked", "r1")).Lines.Should().Equal("false");
        (await _host.RunTsimAsync("trylock", "r1", "py-job")).First.Should().StartWith("ACQUIRED");

        var tsim = _host.StartTsim("lock", "r1", "py-job", "--hold", "-1");
        await tsim.ExpectAsync("ACQUIRED");
        var cliTry = await _host.RunCliAsync("trylock", "r1", "cs-job", "--timeout", "0.3");
        cliTry.ExitCode.Should().Be(1, cliTry.ToString());
        cliTry.Lines.Should().Equal("TIMEOUT");
        (await _host.RunCliAsync("is-locked", "r1")).Lines.Should().Equal("true");
        tsim.SendLine("release");
        await tsim.ExpectAsync("RELEASED");
        (await tsim.WaitForExitAsync()).Should().Be(0);
        (await _host.RunCliAsync("trylock", "r1", "cs-job")).First.Should().StartWith("ACQUIRED");
        File.Exists(Path.Combine(_host.LockDirectory, "router_r1_notify")).Should().BeTrue("every release touches the notify file in tsim's lock_dir");
        File.Exists(Path.Combine(_host.DataDirectory, "router_r1_notify")).Should().BeFalse();
    }

    /// <summary>Parses <c>{"ref_count": n, "should_delete": b}</c>, which both sides print.</summary>
    private static (int RefCount, bool ShouldDelete) Release(ProcessRun run)
    {
        run.ExitCode.Should().Be(0, run.ToString());
        var json = JsonNode.Parse(run.Lines.Single())!;
        return (json["ref_count"]!.GetValue<int>(), json["should_delete"]!.GetValue<bool>());
    }
}
