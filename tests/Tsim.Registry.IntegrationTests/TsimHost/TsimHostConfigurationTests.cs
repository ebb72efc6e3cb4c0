using System.Text.Json.Nodes;
using Tsim.Registry.IntegrationTests.Interop;

namespace Tsim.Registry.IntegrationTests.TsimHost;

/// <summary><c>tsim-registry --config</c> with tsim's own <c>config.json</c>: <c>status</c> shows tsim's registry, and a document that contradicts itself is refused.</summary>
[Collection(PythonInterop.Name)]
public sealed class TsimHostConfigurationTests : IDisposable
{
    /// <summary>The CLI's exit status of an error (ExitCodes.Error).</summary>
    private const int Error = 2;

    private readonly TsimHostSandbox _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Status_WithTsimsConfig_ShowsTheHostsTsimRegistered_HostRegistryJson_AndTheLockDirectory()
    {
        (await _host.RunTsimAsync("register", "t1", "10.60.0.1/24", "r1", "02:ee:00:00:00:01")).Lines.Should().Equal("REGISTERED");
        (await _host.RunTsimAsync("register", "t2", "10.60.0.2/24", "r2", "02:ee:00:00:00:02")).Lines.Should().Equal("REGISTERED");
        (await _host.RunTsimAsync("lease-acquire", "run-1", "t1", "r1")).Lines.Should().Equal("1");
        var holder = _host.StartCli("lock", "r2", "cs-job", "--hold", "-1");
        (await holder.ReadLineAsync()).Should().StartWith("ACQUIRED", holder.Stderr);

        var status = await _host.RunCliAsync("status");
        status.ExitCode.Should().Be(0, status.ToString());
        status.Lines[0].Should().Be(
            $"registry {_host.DataDirectory} (host_registry.json, host_leases.json, neighbor_leases.json), locks {_host.LockDirectory}, semaphore prefix tsim, IP scope router");
        status.Lines.Should().Contain(l => l.Contains("t1") && l.Contains("10.60.0.1/24") && l.Contains("r1"), status.Stdout);
        status.Lines.Should().Contain(l => l.Contains("t2") && l.Contains("10.60.0.2/24") && l.Contains("r2"), status.Stdout);
        status.Lines.Should().Contain(l => l.Contains("run-1"), status.Stdout);
        status.Lines.Should().Contain(l => l.Contains("tsim-router-r2") && l.Contains("cs-job"), status.Stdout);

        var json = await _host.RunCliAsync("status", "--json");
        json.ExitCode.Should().Be(0, json.ToString());
        var document = JsonNode.Parse(json.Stdout)!;
        document["registry_dir"]!.GetValue<string>().Should().Be(_host.DataDirectory);
        document["lock_dir"]!.GetValue<string>().Should().Be(_host.LockDirectory);
        document["prefix"]!.GetValue<string>().Should().Be("tsim");
        document["ip_collision_scope"]!.GetValue<string>().Should().Be("router");
        document["registry_files"]!["hosts"]!.GetValue<string>().Should().Be(_host.DataPath("host_registry.json"));
        document["registry_files"]!["host_leases"]!.GetValue<string>().Should().Be(_host.DataPath("host_leases.json"));
        document["registry_files"]!["neighbor_leases"]!.GetValue<string>().Should().Be(_host.DataPath("neighbor_leases.json"));
        document["hosts"]!.AsArray().Select(h => h!["name"]!.GetValue<string>()).Should().Equal("t1", "t2");
        document["hosts"]![0]!["lease_count"]!.GetValue<int>().Should().Be(1);
        document["leases"]!.AsArray().Select(l => l!["run_id"]!.GetValue<string>()).Should().Equal("run-1");
        document["locks"]!.AsArray().Should().ContainSingle().Which!.ToJsonString().Should().Contain("cs-job");

        await holder.WriteLineAsync("release");
        (await holder.CompleteAsync()).ExitCode.Should().Be(0);
        Directory.EnumerateFiles(_host.DataDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Should().Equal(["host_leases.json", "host_registry.json"], "status writes nothing, and there is no hosts.json");
    }

    [Fact]
    public async Task ConfigWithDataDirAndADifferentRegistryDir_IsRefusedWithExitCode2_NamingBothKeys_AndNothingIsCreated()
    {
        var dataDirectory = Path.Combine(_host.Root, "data-dir");
        var registryDirectory = Path.Combine(_host.Root, "registry-dir");
        var config = _host.WriteConfig(
            "conflicting.json", dataDirectory, Path.Combine(dataDirectory, "locks"), document => document["registry_manager"]!["registry_dir"] = registryDirectory);

        string[][] commands = [["status"], ["register", "h1", "10.61.0.1", "r1", "02:ee:00:00:01:01"], ["lock", "r1", "job"]];
        foreach (var command in commands)
        {
            var result = await Cli.CliSandbox.RunRawAsync(["--config", config, .. command]);
            result.ExitCode.Should().Be(Error, result.ToString());
            result.Lines.Should().BeEmpty();
            result.Stderr.Should().Contain("'data_dir'").And.Contain("'registry_manager:registry_dir'").And.Contain(dataDirectory).And.Contain(registryDirectory);
        }

        Directory.Exists(dataDirectory).Should().BeFalse("a refused configuration creates nothing");
        Directory.Exists(registryDirectory).Should().BeFalse("a refused configuration creates nothing");
        Directory.Exists(_host.DataDirectory).Should().BeFalse();
        Directory.EnumerateFiles("/dev/shm", "sem.tsim-*").Should().BeEmpty("no semaphore is opened either");
    }
}
