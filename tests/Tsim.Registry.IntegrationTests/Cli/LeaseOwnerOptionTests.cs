using System.Globalization;
using System.Text.Json;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>
/// Whose lease <c>lease-acquire</c> and <c>neighbor-acquire</c> take: the process that ran the CLI (a job script), or
/// the one <c>--pid</c> names. The lease stays live while that process runs and is stale once it has exited; the CLI's
/// own pid, gone the moment the count is printed, is never recorded.
/// </summary>
public sealed class LeaseOwnerOptionTests : IDisposable
{
    /// <summary>
    /// A job script: takes a host and a neighbour lease through the CLI (<c>"$@"</c> is the CLI with the sandbox's
    /// options), says <c>held PID</c>, and exits on its next stdin line.
    /// </summary>
    private const string JobScript = """
        "$@" lease-acquire run-1 h1 r1 || exit 1
        "$@" neighbor-acquire run-1 h1 10.0.0.9 || exit 1
        echo "held $$"
        read line
        """;

    /// <summary>A process that only waits: <c>ready</c>, then exits on its next stdin line.</summary>
    private const string WaitScript = """
        echo ready
        read line
        """;

    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task LeaseAcquire_FromAScript_BelongsToTheScript_StaleOnlyOnceTheScriptHasExited()
    {
        await RegisterAsync();
        using var script = ChildProcess.Start("/bin/sh", ["-c", JobScript, "job-script", .. CliProcess.CommandLine(), .. _sandbox.GlobalArgs], "job-script");
        (await script.ReadLineAsync()).Should().Be("1");
        (await script.ReadLineAsync()).Should().Be("1");
        var scriptPid = int.Parse((await script.ExpectAsync("held"))[0], CultureInfo.InvariantCulture);
        scriptPid.Should().Be(script.Pid);

        // The CLI that took the leases has exited; the script that ran it has not.
        var whileRunning = await ReapAsync("--dry-run");
        whileRunning.GetProperty("host_leases").GetArrayLength().Should().Be(0, "the script that took the lease still runs");
        whileRunning.GetProperty("neighbor_leases").GetArrayLength().Should().Be(0, "the script that took the lease still runs");
        var leases = await _sandbox.RunAsync("leases", "h1");
        JsonDocument.Parse(leases.Stdout).RootElement.GetProperty("h1").GetProperty("leases")[0].GetProperty("pid").GetInt32().Should().Be(scriptPid);
        var status = await _sandbox.RunAsync("status", "--json");
        JsonDocument.Parse(status.Stdout).RootElement.GetProperty("leases")[0].GetProperty("holder").GetString().Should().Be("alive");

        script.SendLine("exit");
        (await script.WaitForExitAsync()).Should().Be(0);

        var afterExit = await ReapAsync();
        Leases(afterExit, "host_leases").Should().Equal(("h1", "run-1", scriptPid));
        Leases(afterExit, "neighbor_leases").Should().Equal(("h1:10.0.0.9", "run-1", scriptPid));
        afterExit.GetProperty("hosts_released").EnumerateArray().Select(h => h.GetString()).Should().Equal("h1");
    }

    [Fact]
    public async Task LeaseAcquire_Pid_BelongsToThatProcess_StaleOnlyOnceItHasExited()
    {
        await RegisterAsync();
        using var owner = ChildProcess.Start("/bin/sh", ["-c", WaitScript], "owner");
        await owner.ExpectAsync("ready");
        var pid = owner.Pid.ToString(CultureInfo.InvariantCulture);

        (await _sandbox.RunAsync("lease-acquire", "run-2", "h1", "r1", "--pid", pid)).Lines.Should().Equal("1");
        (await _sandbox.RunAsync("neighbor-acquire", "run-2", "h1", "10.0.0.9", "--pid", pid)).Lines.Should().Equal("1");

        var whileRunning = await ReapAsync("--dry-run");
        whileRunning.GetProperty("host_leases").GetArrayLength().Should().Be(0);
        whileRunning.GetProperty("neighbor_leases").GetArrayLength().Should().Be(0);

        owner.SendLine("exit");
        await owner.WaitForExitAsync();

        var afterExit = await ReapAsync();
        Leases(afterExit, "host_leases").Should().Equal(("h1", "run-2", owner.Pid));
        Leases(afterExit, "neighbor_leases").Should().Equal(("h1:10.0.0.9", "run-2", owner.Pid));
    }

    [Theory]
    [InlineData("lease-acquire", "0", "ArgumentOutOfRangeException", "processId")]
    [InlineData("lease-acquire", "2147483647", "ArgumentException", "No process 2147483647 exists.")]
    [InlineData("neighbor-acquire", "0", "ArgumentOutOfRangeException", "processId")]
    [InlineData("neighbor-acquire", "2147483647", "ArgumentException", "No process 2147483647 exists.")]
    public async Task Acquire_PidOfNoRunningProcess_ExitsTwo_AndTakesNoLease(string command, string pid, string exception, string message)
    {
        await RegisterAsync();
        string[] target = command == "lease-acquire" ? ["h1", "r1"] : ["h1", "10.0.0.9"];

        var result = await _sandbox.RunAsync([command, "run-3", .. target, "--pid", pid]);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith($"ERROR {exception}: {message}");
        (await _sandbox.RunAsync("lease-count", "h1")).Lines.Should().Equal("0");
        File.Exists(Path.Combine(_sandbox.RegistryDirectory, "neighbor_leases.json")).Should().BeFalse("nothing was written");
    }

    private static IEnumerable<(string?, string?, int)> Leases(JsonElement report, string key) =>
        report.GetProperty(key).EnumerateArray().Select(l => (l.GetProperty("key").GetString(), l.GetProperty("run_id").GetString(), l.GetProperty("pid").GetInt32()));

    private async Task RegisterAsync()
    {
        var result = await _sandbox.RunAsync("register", "h1", "10.0.0.1", "r1", "02:00:00:00:00:01");
        result.ExitCode.Should().Be(0, result.ToString());
    }

    private async Task<JsonElement> ReapAsync(params string[] options)
    {
        var result = await _sandbox.RunAsync(["reap", "--json", .. options]);
        result.ExitCode.Should().Be(0, result.ToString());
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }
}
