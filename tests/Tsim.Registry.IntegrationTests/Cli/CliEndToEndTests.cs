using System.Text.Json;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>A job's whole life through the CLI, each step a separate process, as a shell script would run it.</summary>
public sealed class CliEndToEndTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task FullSequence_RegisterLeaseLockReleaseUnregister_EveryStepPrintsItsProtocolToken()
    {
        await ExpectAsync(0, ["REGISTERED"], "register", "src-1", "10.0.0.10/24", "router-1", "02:00:00:00:00:0a", "--info", """{"role": "source"}""");

        var hosts = await _sandbox.RunAsync("hosts");
        hosts.ExitCode.Should().Be(0, hosts.ToString());
        JsonDocument.Parse(hosts.Stdout).RootElement.GetProperty("src-1").GetProperty("role").GetString().Should().Be("source");

        var info = await _sandbox.RunAsync("host-info", "src-1");
        info.ExitCode.Should().Be(0, info.ToString());
        info.Lines.Should().ContainSingle().Which.Should().StartWith("""{"connected_to": "router-1", "created_at": """);
        JsonDocument.Parse(info.Stdout).RootElement.GetProperty("primary_ip").GetString().Should().Be("10.0.0.10/24");

        await ExpectAsync(0, ["1"], "lease-acquire", "run-1", "src-1", "router-1", "--job-type", "detailed");
        await ExpectAsync(0, ["1"], "lease-count", "src-1");

        // Global options after the subcommand work as well as before it.
        var holder = _sandbox.StartRaw(["lock", "router-1", "run-1", "--hold", "-1", .. _sandbox.GlobalArgs]);
        (await holder.ReadLineAsync()).Should().MatchRegex("^ACQUIRED [0-9]+$");
        await ExpectAsync(0, ["true"], "is-locked", "router-1");
        var owner = await _sandbox.RunAsync("owner", "router-1");
        owner.ExitCode.Should().Be(0, owner.ToString());
        JsonDocument.Parse(owner.Stdout).RootElement.GetProperty("job_id").GetString().Should().Be("run-1");

        await holder.WriteLineAsync("done");
        (await holder.ReadLineAsync()).Should().MatchRegex("^RELEASED [0-9]+$");
        (await holder.CompleteAsync()).ExitCode.Should().Be(0);

        await ExpectAsync(0, ["false"], "is-locked", "router-1");
        await ExpectAsync(0, ["""{"ref_count": 0, "should_delete": true}"""], "lease-release", "run-1", "src-1");
        await ExpectAsync(0, ["0"], "lease-count", "src-1");
        await ExpectAsync(0, ["UNREGISTERED"], "unregister", "src-1");
        await ExpectAsync(0, ["{}"], "hosts");
    }

    private async Task ExpectAsync(int exitCode, string[] lines, params string[] args)
    {
        var result = await _sandbox.RunAsync(args);
        result.ExitCode.Should().Be(exitCode, result.ToString());
        result.Lines.Should().Equal(lines, result.ToString());
    }
}
