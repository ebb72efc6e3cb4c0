
namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary><c>--config</c>, <c>--lock-timeout</c>, <c>--txlog</c>, <c>--lock-dir</c> and usage errors.</summary>
public sealed class GlobalOptionsTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Config_SpecJsonWithRegistryDir_IsHonoured()
    {
        Directory.CreateDirectory(_sandbox.RegistryDirectory);
        var logPath = Path.Combine(_sandbox.RegistryDirectory, "transactions.log");
        var configPath = WriteConfig(logPath);

        var result = await CliSandbox.RunRawAsync("--config", configPath, "register", "h1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01");

        result.ExitCode.Should().Be(0, result.ToString());
        File.ReadAllText(Path.Combine(_sandbox.RegistryDirectory, "hosts.json")).Should().Contain("\"h1\"");
        Directory.Exists(Path.Combine(_sandbox.RegistryDirectory, "locks")).Should().BeTrue("lock_dir comes from the file");
        File.ReadAllText(logPath).Should().Contain("\"register_host\"", "enable_transaction_log comes from the file");
        File.Exists($"/dev/shm/sem.{_sandbox.Prefix}-hosts-registry").Should().BeTrue("semaphore_prefix comes from the file");
    }

    [Fact]
    public async Task Config_CommandLineOption_OverridesFile()
    {
        Directory.CreateDirectory(_sandbox.RegistryDirectory);
        var configPath = WriteConfig(transactionLogPath: null);
        var otherDirectory = Path.Combine(_sandbox.RegistryDirectory, "other");

        var result = await CliSandbox.RunRawAsync(
            "--config", configPath, "--registry-dir", otherDirectory, "register", "h1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01");

        result.ExitCode.Should().Be(0, result.ToString());
        File.Exists(Path.Combine(otherDirectory, "hosts.json")).Should().BeTrue();
        File.Exists(Path.Combine(_sandbox.RegistryDirectory, "hosts.json")).Should().BeFalse();
    }

    [Fact]
    public async Task Config_MissingFile_ExitsTwoWithFileNotFoundException()
    {
        var result = await _sandbox.RunAsync("--config", Path.Combine(_sandbox.RegistryDirectory, "absent.json"), "hosts");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith("ERROR FileNotFoundException: ");
    }

    [Fact]
    public async Task LockTimeout_RouterLock_IsTheDefaultTimeoutOfLock()
    {
        var holder = _sandbox.Start("lock", "r1", "job-a", "--hold", "-1");
        (await holder.ReadLineAsync()).Should().StartWith("ACQUIRED ");

        // Without --timeout, lock waits for the configured router_lock; 0.2 s instead of 30 s proves it is read.
        var result = await _sandbox.RunAsync("--lock-timeout", "router_lock=0.2", "--lock-timeout", "host_leases=1", "lock", "r1", "job-b");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Lines.Should().Equal("TIMEOUT");
    }

    [Theory]
    [InlineData("bogus=1", "key must be one of host_registry, host_leases, router_lock, router_lock_atomic, neighbor_leases")]
    [InlineData("router_lock", "expects KEY=SEC")]
    [InlineData("router_lock=soon", "seconds must be a number")]
    public async Task LockTimeout_Malformed_IsUsageErrorExitingTwo(string setting, string problem)
    {
        var result = await _sandbox.RunAsync("--lock-timeout", setting, "hosts");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Lines.Should().BeEmpty();
        result.Stderr.Should().StartWith($"ERROR UsageError: --lock-timeout {problem} (got '{setting}').");
        Directory.Exists(_sandbox.RegistryDirectory).Should().BeFalse("a usage error stops before any manager is built");
    }

    [Fact]
    public async Task LockTimeout_Negative_ExitsTwoWithOptionsValidationException()
    {
        var result = await _sandbox.RunAsync("--lock-timeout", "host_registry=-1", "hosts");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith("ERROR OptionsValidationException: ").And.Contain("HostRegistrySeconds");
    }

    [Fact]
    public async Task LockDir_Given_HoldsTheOwnerRecordThere()
    {
        var lockDirectory = Path.Combine(_sandbox.RegistryDirectory, "custom-locks");
        var holder = _sandbox.Start("--lock-dir", lockDirectory, "lock", "r1", "job-a", "--hold", "-1");
        (await holder.ReadLineAsync()).Should().StartWith("ACQUIRED ");

        Directory.EnumerateFiles(lockDirectory).Should().Contain(f => Path.GetFileName(f).Contains("router-r1", StringComparison.Ordinal));
        Directory.Exists(Path.Combine(_sandbox.RegistryDirectory, "locks")).Should().BeFalse();
    }

    [Fact]
    public async Task NoSubcommand_IsUsageErrorExitingTwo()
    {
        var result = await _sandbox.RunAsync();

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith("ERROR UsageError: ");
    }

    [Fact]
    public async Task UnknownSubcommand_IsUsageErrorExitingTwo()
    {
        var result = await _sandbox.RunAsync("frobnicate");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith("ERROR UsageError: ");
    }

    [Fact]
    public async Task Verbose_LogsDebugToStderrOnly()
    {
        var result = await _sandbox.RunAsync("-v", "trylock", "r1", "job-a");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().HaveCount(2);
        result.Stderr.Should().Contain("[DEBUG] ");
    }

    /// <summary>The specification's configuration, pointed at the sandbox.</summary>
    private string WriteConfig(string? transactionLogPath)
    {
        var path = Path.Combine(_sandbox.RegistryDirectory, "config.json");
        var logSettings = transactionLogPath is null
            ? "\"enable_transaction_log\": false"
            : $"\"enable_transaction_log\": true, \"transaction_log_path\": \"{transactionLogPath}\"";
        File.WriteAllText(path, $$"""
            {
              "registry_manager": {
                "enabled": true,
                "registry_dir": "{{_sandbox.RegistryDirectory}}",
                "lock_dir": "{{Path.Combine(_sandbox.RegistryDirectory, "locks")}}",
                "lock_timeouts": {
                  "host_registry": 5.0,
                  "host_leases": 3.0,
                  "router_lock": 30.0,
                  "router_lock_atomic": 60.0,
                  "neighbor_leases": 3.0
                },
                "retry_attempts": 3,
                "retry_delay": 0.1,
                {{logSettings}},
                "semaphore_prefix": "{{_sandbox.Prefix}}"
              }
            }
            """);
        return path;
    }
}
