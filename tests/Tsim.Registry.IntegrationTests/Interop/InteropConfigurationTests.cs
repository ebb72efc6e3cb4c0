using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tsim.Registry.IntegrationTests.Cli;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.Interop;

/// <summary>The specification's configuration JSON file drives the Python manager and the C# CLI identically.</summary>
[Collection(PythonInterop.Name)]
public sealed class InteropConfigurationTests : IDisposable
{
    /// <summary>The spec's default host_registry timeout; the file sets a far shorter one.</summary>
    private static readonly TimeSpan s_defaultHostRegistryTimeout = TimeSpan.FromSeconds(5);

    private readonly InteropSandbox _sandbox = new();
    private readonly ITestOutputHelper _output;

    public InteropConfigurationTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task SpecConfigurationFile_GivesBothSidesTheSameRegistry_LockDirectory_Timeouts_AndTransactionLog()
    {
        // The spec's configuration structure, with paths of this test and short timeouts.
        var lockDirectory = _sandbox.PathOf("custom-locks");
        var transactionLog = _sandbox.PathOf("registry_transactions.log");
        var config = _sandbox.PathOf("config.json");
        File.WriteAllText(config, $$"""
            {
                "registry_manager": {
                    "enabled": true,
                    "registry_dir": "{{_sandbox.Directory}}",
                    "lock_dir": "{{lockDirectory}}",
                    "lock_timeouts": {
                        "host_registry": 0.3,
                        "host_leases": 0.3,
                        "router_lock": 0.3,
                        "router_lock_atomic": 0.6,
                        "neighbor_leases": 0.3
                    },
                    "retry_attempts": 3,
                    "retry_delay": 0.1,
                    "enable_transaction_log": true,
                    "transaction_log_path": "{{transactionLog}}"
                }
            }
            """);

        // The same registry: each side registers, each sees the other's host.
        (await Python("register", "pyc", "10.60.0.1/24", "r6", "02:ee:00:00:00:01")).Lines.Should().Equal("REGISTERED");
        (await Cli("register", "csc", "10.60.0.2/24", "r6", "02:ee:00:00:00:02")).Lines.Should().Equal("REGISTERED");
        (await Cli("host-info", "pyc")).Lines.Single().Should().NotBe("null");
        (await Python("host-info", "csc")).First.Should().NotBe("null");
        _sandbox.ReadHostsFile().Select(p => p.Key).Should().BeEquivalentTo("pyc", "csc");

        // The same lock directory: a C# hold is visible to Python's is_router_locked in the configured lock_dir.
        var holder = _sandbox.StartCli("--config", config, "lock", "r6", "cs-job", "--hold", "-1");
        (await holder.ReadLineAsync()).Should().StartWith("ACQUIRED", holder.Stderr);
        File.Exists(Path.Combine(lockDirectory, "tsim-router-r6")).Should().BeTrue();
        (await Python("is-locked", "r6")).Lines.Should().Equal("true");
        (await Cli("is-locked", "r6")).Lines.Should().Equal("true");
        (await Cli("lock", "r6", "cs-job-2")).Lines.Should().Equal("TIMEOUT"); // router_lock 0.3 s from the file
        await holder.WriteLineAsync("release");
        (await holder.CompleteAsync()).ExitCode.Should().Be(0);
        (await Python("is-locked", "r6")).Lines.Should().Equal("false");
        File.Exists(Path.Combine(lockDirectory, "router_r6_notify")).Should().BeTrue();

        // The same timeouts: while a Python process holds the hosts registry lock, both sides give up after the
        // file's 0.3 s, not the default 5 s, with the same kind of error.
        var registryHolder = _sandbox.StartPythonScript("hold_registry_lock.py", lockDirectory, "tsim-hosts-registry");
        await registryHolder.ExpectAsync("HELD");
        var pythonStart = Stopwatch.GetTimestamp();
        var pythonTimeout = await Python("register", "pyc2", "10.60.0.3/24", "r6", "02:ee:00:00:00:03");
        var pythonElapsed = Stopwatch.GetElapsedTime(pythonStart);
        var cliStart = Stopwatch.GetTimestamp();
        var cliTimeout = await Cli("register", "csc2", "10.60.0.4/24", "r6", "02:ee:00:00:00:04");
        var cliElapsed = Stopwatch.GetElapsedTime(cliStart);
        registryHolder.SendLine("release");
        await registryHolder.ExpectAsync("RELEASED");
        _output.WriteLine($"host_registry timeout 0.3 s: Python process took {pythonElapsed.TotalSeconds:F2} s, C# CLI process {cliElapsed.TotalSeconds:F2} s (start-up included)");

        pythonTimeout.ExitCode.Should().Be(2, pythonTimeout.ToString());
        pythonTimeout.First.Should().StartWith("ERROR RegistryLockTimeout");
        cliTimeout.ExitCode.Should().Be(2, cliTimeout.ToString());
        cliTimeout.Stderr.Should().Contain("RegistryLockTimeout");
        pythonElapsed.Should().BeLessThan(s_defaultHostRegistryTimeout);
        cliElapsed.Should().BeLessThan(s_defaultHostRegistryTimeout);
        _sandbox.ReadHostsFile().Select(p => p.Key).Should().BeEquivalentTo(["pyc", "csc"], "a timed-out registration writes nothing");

        // The same transaction log: JSON Lines from both sides in one file, in the spec's shape.
        var entries = File.ReadAllLines(transactionLog).Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
        foreach (var entry in entries)
        {
            entry.Select(p => p.Key).Should().BeEquivalentTo("timestamp", "operation", "details");
            entry["timestamp"]!.GetValueKind().Should().Be(JsonValueKind.Number);
            entry["details"]!.GetValueKind().Should().Be(JsonValueKind.Object);
        }

        entries.Where(e => e["operation"]!.GetValue<string>() == "register_host")
            .Select(e => e["details"]!["host_name"]!.GetValue<string>())
            .Should().BeEquivalentTo("pyc", "csc");
        entries.Select(e => e["operation"]!.GetValue<string>()).Should().Contain(["acquire_router_lock", "release_router_lock"]);
    }

    private Task<ProcessRun> Python(params string[] arguments) =>
        _sandbox.RunPythonScriptAsync("config_client.py", [_sandbox.PathOf("config.json"), .. arguments]);

    /// <summary>The CLI with the file only: no --registry-dir, no --prefix (the spec's file has neither; tsim is the default).</summary>
    private Task<CliResult> Cli(params string[] arguments) =>
        CliSandbox.RunRawAsync(["--config", _sandbox.PathOf("config.json"), .. arguments]);
}
