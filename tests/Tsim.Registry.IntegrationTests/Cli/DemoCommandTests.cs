using System.Text.Json;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>
/// <c>demo</c> end to end: real worker processes (this CLI started again as <c>demo-worker</c>) on the sandbox's
/// directory and prefix, which the demo must leave empty behind it.
/// </summary>
public sealed class DemoCommandTests : IDisposable
{
    /// <summary>Two seconds of play plus the cold start of three workers on a loaded CI box.</summary>
    private static readonly TimeSpan s_demoTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Play time of the runs that must end OK. A run whose jobs all happen to be quick holds no router and fails
    /// ("nothing was checked"); 40 % of the jobs are detailed, but a worker on a loaded two-core box manages only a
    /// few jobs a second, so half a second of play failed that way about one run in eight there.
    /// </summary>
    private const string PlaySeconds = "2";

    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Demo_Json_ExitsZeroWithHoldsAndNoOverlaps_AndCleansUp()
    {
        var result = await RunAsync("demo", "--seconds", "2", "--workers", "3", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        var root = document.RootElement;
        root.GetProperty("ok").GetBoolean().Should().BeTrue();
        root.GetProperty("verdict").GetString().Should().Be("OK: no two jobs ever held one router at once");
        root.GetProperty("overlaps").GetInt32().Should().Be(0);
        root.GetProperty("marker_overlaps").GetInt32().Should().Be(0);
        root.GetProperty("interval_overlaps").GetInt32().Should().Be(0);
        root.GetProperty("leftovers_after_run").GetInt32().Should().Be(0);
        root.GetProperty("prefix").GetString().Should().Be(_sandbox.Prefix, "--prefix overrides the private prefix");
        root.GetProperty("registry_dir").GetString().Should().Be(_sandbox.RegistryDirectory);

        var totals = root.GetProperty("totals");
        totals.GetProperty("holds").GetInt32().Should().BePositive();
        totals.GetProperty("waits").GetInt32().Should().BePositive();
        totals.GetProperty("leases").GetInt32().Should().BePositive();
        totals.GetProperty("hosts_registered").GetInt32().Should().Be(totals.GetProperty("hosts_torn_down").GetInt32());
        totals.GetProperty("jobs").GetInt32().Should().Be(totals.GetProperty("quick_jobs").GetInt32() + totals.GetProperty("detailed_jobs").GetInt32());

        var workers = root.GetProperty("workers").EnumerateArray().ToList();
        workers.Should().HaveCount(3);
        workers.Should().OnlyContain(w => w.GetProperty("exit_code").GetInt32() == 0 && w.GetProperty("jobs").GetInt32() > 0);
        workers.Select(w => w.GetProperty("pid").GetInt32()).Should().OnlyHaveUniqueItems("each worker is a process of its own");
        root.GetProperty("routers").EnumerateArray().Select(r => r.GetProperty("router").GetString()).Should().Equal("router-1", "router-2", "router-3");
        root.GetProperty("routers").EnumerateArray().Sum(r => r.GetProperty("holds").GetInt32()).Should().Be(totals.GetProperty("holds").GetInt32());

        Directory.Exists(_sandbox.RegistryDirectory).Should().BeFalse("the demo removes the directory it created");
        Directory.EnumerateFiles("/dev/shm", $"sem.{_sandbox.Prefix}-*").Should().BeEmpty("the demo unlinks its semaphores");
    }

    [Fact]
    public async Task Demo_Redirected_PrintsProgressLinesSummaryTablesAndTheVerdict()
    {
        var result = await RunAsync("demo", "--seconds", PlaySeconds, "--workers", "2", "--routers", "2");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().NotContain("\u001b", "redirected output carries no ANSI codes");
        result.Lines.Should().Contain(l => l.StartsWith("demo ", StringComparison.Ordinal) && l.Contains(" of 2 workers playing", StringComparison.Ordinal));
        result.Lines.Should().ContainMatch("== demo: 2 workers, 2 routers, 2 s of play, * s in all ==");
        result.Lines.Should().Contain(l => l.StartsWith("WORKER ", StringComparison.Ordinal) && l.EndsWith(" OVERLAPS  STATE", StringComparison.Ordinal));
        result.Lines.Should().ContainMatch("router-1 *").And.ContainMatch("router-2 *");
        result.Lines.Should().Contain("mutual exclusion checked twice: 0 marker-file collisions, 0 intersecting hold intervals");
        result.Lines.Should().Contain("registry after the run: clean (no job host, lease or lock left)");
        result.Lines[^1].Should().Be("OK: no two jobs ever held one router at once");
        Directory.Exists(_sandbox.RegistryDirectory).Should().BeFalse();
    }

    [Fact]
    public async Task Demo_Keep_LeavesTheRegistryForStatus()
    {
        var result = await RunAsync("demo", "--seconds", PlaySeconds, "--workers", "1", "--routers", "1", "--keep", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using (var document = JsonDocument.Parse(result.Stdout))
        {
            document.RootElement.GetProperty("kept").GetBoolean().Should().BeTrue();
        }

        Directory.Exists(_sandbox.RegistryDirectory).Should().BeTrue("--keep leaves the registry for inspection");
        var status = await _sandbox.RunAsync("status", "--json");
        status.ExitCode.Should().Be(0, status.ToString());
        using var statusDocument = JsonDocument.Parse(status.Stdout);
        statusDocument.RootElement.GetProperty("hosts").GetArrayLength().Should().Be(0, "every job and the demo itself tore its hosts down");
        statusDocument.RootElement.GetProperty("locks").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Demo_RegistryInUse_RefusesWithExitTwo_AndTouchesNothing()
    {
        (await _sandbox.RunAsync("register", "web-1", "10.0.0.10/24", "r1", "02:00:00:00:00:0a")).ExitCode.Should().Be(0);

        var result = await _sandbox.RunAsync("demo", "--seconds", "1");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith("ERROR InvalidOperationException: demo plays on a registry of its own");
        (await _sandbox.RunAsync("host-info", "web-1")).ExitCode.Should().Be(0, "the demo removes nothing it did not create");
        Directory.EnumerateFiles("/dev/shm", $"sem.{_sandbox.Prefix}-*").Should().NotBeEmpty("the registry's semaphores stay");
    }

    [Theory]
    [InlineData("--workers", "0")]
    [InlineData("--routers", "9")]
    [InlineData("--seconds", "0")]
    public async Task Demo_OutOfRangeOption_IsAUsageError(string option, string value)
    {
        var result = await _sandbox.RunAsync("demo", option, value);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().Contain($"ERROR UsageError: {option} must");
        Directory.Exists(_sandbox.RegistryDirectory).Should().BeFalse();
    }

    private async Task<CliResult> RunAsync(params string[] args)
    {
        using var process = _sandbox.Start(args);
        process.CloseInput();
        return await process.CompleteAsync(s_demoTimeout);
    }
}
