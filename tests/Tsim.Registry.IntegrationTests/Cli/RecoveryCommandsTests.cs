using System.Text.Json;
using Tsim.Registry.IntegrationTests.CrashSafety;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Tsim.Registry.Locking;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>
/// <c>locks</c>, <c>reap</c> and <c>unlock</c> as real processes, on locks and leases left by real workers (alive,
/// SIGKILLed, or with a hand-written owner record).
/// </summary>
public sealed class RecoveryCommandsTests : IDisposable
{
    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task Locks_NothingHeld_SaysSo()
    {
        var table = await RunAsync("locks");
        table.ExitCode.Should().Be(0, table.ToString());
        table.Lines.Should().Equal("no lock is held");

        var json = await RunAsync("locks", "--json");
        json.ExitCode.Should().Be(0, json.ToString());
        using var document = JsonDocument.Parse(json.Stdout);
        document.RootElement.GetProperty("locks").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Locks_LiveDeadAndRecordlessHolders_ListedWithOwnerState()
    {
        var live = await HoldAsync("r1", "job-live");
        var dead = await AbandonAsync("r2", "job-dead");
        await AbandonAsync("r3", "job-gone");
        CrashSupport.WriteRouterRecord(_registry, "r3", "not a record");

        var table = await RunAsync("locks");

        table.ExitCode.Should().Be(0, table.ToString());
        table.Lines[0].Should().MatchRegex("^LOCK +ROUTER +JOB +PID +ACQUIRED_AT +OWNER$");
        table.Lines.Should().HaveCount(4, table.ToString());
        table.Lines[1].Should().MatchRegex($"^{_registry.Prefix}-router-r1 +r1 +job-live +{live} +\\d{{4}}-\\d\\d-\\d\\dT[0-9:.]+Z +alive$");
        table.Lines[2].Should().MatchRegex($"^{_registry.Prefix}-router-r2 +r2 +job-dead +{dead} +\\S+Z +dead$");
        table.Lines[3].Should().MatchRegex($"^{_registry.Prefix}-router-r3 +r3 +- +- +- +no-record$");
        var routerColumn = table.Lines[0].IndexOf("ROUTER", StringComparison.Ordinal);
        var ownerColumn = table.Lines[0].IndexOf("OWNER", StringComparison.Ordinal);
        table.Lines.Skip(1).Select(l => l.Substring(routerColumn, 2)).Should().Equal(["r1", "r2", "r3"], "columns are aligned");
        table.Lines.Skip(1).Select(l => l[ownerColumn..]).Should().Equal(["alive", "dead", "no-record"], "columns are aligned");

        var json = await RunAsync("locks", "--json");
        json.ExitCode.Should().Be(0, json.ToString());
        using var document = JsonDocument.Parse(json.Stdout);
        var locks = document.RootElement.GetProperty("locks").EnumerateArray().ToList();
        locks.Select(l => (l.GetProperty("router").GetString(), l.GetProperty("owner_state").GetString()))
            .Should().Equal(("r1", "alive"), ("r2", "dead"), ("r3", "no-record"));
        locks[0].GetProperty("pid").GetInt32().Should().Be(live);
        locks[0].GetProperty("job_id").GetString().Should().Be("job-live");
        locks[0].GetProperty("acquired_at").GetDouble().Should().BeGreaterThan(1.7e9);
        locks[1].GetProperty("pid").GetInt32().Should().Be(dead);
        locks[2].GetProperty("pid").ValueKind.Should().Be(JsonValueKind.Null);
        locks[2].GetProperty("acquired_at").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Reap_DryRunChangesNothing_ThenRemovesDeadLeasesAndReportsFreedHosts()
    {
        var manager = _registry.CreateManager();
        var scenario = await StaleLeaseScenario.CreateAsync(_registry, manager);
        var hostLeases = File.ReadAllBytes(_registry.PathOf("host_leases.json"));
        var neighborLeases = File.ReadAllBytes(_registry.PathOf("neighbor_leases.json"));

        var dryRun = await RunAsync("reap", "--dry-run", "--json");
        dryRun.ExitCode.Should().Be(0, dryRun.ToString());
        File.ReadAllBytes(_registry.PathOf("host_leases.json")).Should().Equal(hostLeases, "--dry-run writes nothing");
        File.ReadAllBytes(_registry.PathOf("neighbor_leases.json")).Should().Equal(neighborLeases, "--dry-run writes nothing");
        AssertReapJson(dryRun.Stdout, scenario, dryRunExpected: true);

        var dryRunText = await RunAsync("reap", "--dry-run");
        dryRunText.ExitCode.Should().Be(0, dryRunText.ToString());
        dryRunText.Lines[0].Should().MatchRegex("^WOULD_REMOVE +KEY +RUN +PID +ALLOCATED_AT$");
        dryRunText.Lines.Should().ContainMatch($"host lease *{StaleLeaseScenario.DeadHost} *run-dead *{scenario.DeadPid} *20*Z");
        dryRunText.Stdout.Should().Contain($"hosts would be left without leases: {StaleLeaseScenario.DeadHost}\n")
            .And.Contain("dry run, nothing written: 3 host lease(s), 2 neighbour lease(s)");
        File.ReadAllBytes(_registry.PathOf("host_leases.json")).Should().Equal(hostLeases);

        var reap = await RunAsync("reap");
        reap.ExitCode.Should().Be(0, reap.ToString());
        reap.Lines[0].Should().MatchRegex("^REMOVED +KEY +RUN +PID +ALLOCATED_AT$");
        reap.Lines.Should().ContainMatch($"host lease *{StaleLeaseScenario.SharedHost} *run-shared-dead *{scenario.SharedDeadPid} *Z")
            .And.ContainMatch($"neighbour lease *{StaleLeaseScenario.DeadHost}:{StaleLeaseScenario.NeighborIp} *run-dead *");
        reap.Stdout.Should().Contain($"hosts left without leases: {StaleLeaseScenario.DeadHost}\n")
            .And.Contain($"neighbour entries left without leases: {StaleLeaseScenario.DeadHost}:{StaleLeaseScenario.NeighborIp}\n")
            .And.EndWith("3 host lease(s), 2 neighbour lease(s) of dead processes");
        manager.GetHostLeaseCount(StaleLeaseScenario.DeadHost).Should().Be(0);
        manager.GetHostLeaseCount(StaleLeaseScenario.SharedHost).Should().Be(1, "the live process's lease stays");

        var nothingLeft = await RunAsync("reap", "--json");
        using var document = JsonDocument.Parse(nothingLeft.Stdout);
        document.RootElement.GetProperty("dry_run").GetBoolean().Should().BeFalse();
        document.RootElement.GetProperty("host_leases").GetArrayLength().Should().Be(0);
        document.RootElement.GetProperty("hosts_released").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Unlock_WithoutForce_RefusesWithExitTwo_AndChangesNothing()
    {
        await AbandonAsync("r1", "job-gone");

        var result = await RunAsync("unlock", "r1");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith("ERROR InvalidOperationException:").And.Contain("--force");
        result.Lines.Should().BeEmpty();
        CrashSupport.SemaphoreValue(_registry, "router-r1").Should().Be(0);
        CrashSupport.RouterRecord(_registry, "r1").Should().NotBeNull();
    }

    [Fact]
    public async Task Unlock_LiveRecordedOwner_RefusesWithExitTwoAndTheReason()
    {
        var live = await HoldAsync("r1", "job-live");

        var result = await RunAsync("unlock", "r1", "--force");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith("ERROR InvalidOperationException:").And.Contain("job-live").And.Contain($"pid {live}").And.Contain("alive");
        CrashSupport.SemaphoreValue(_registry, "router-r1").Should().Be(0, "a live holder's lock is never forced");
    }

    [Fact]
    public async Task Unlock_HeldWithNoUsableRecord_Unlocks_ThenNotHeld()
    {
        await AbandonAsync("r1", "job-gone");
        CrashSupport.EraseRouterRecord(_registry, "r1"); // As if killed between its wait and its record.

        var result = await RunAsync("unlock", "r1", "--force", "--no-record-ok");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().Equal("UNLOCKED");
        result.Stderr.Should().StartWith("WARNING: Lock").And.Contain("without a usable owner record");
        CrashSupport.SemaphoreValue(_registry, "router-r1").Should().Be(1);

        var again = await RunAsync("unlock", "r1", "--force", "--no-record-ok");
        again.ExitCode.Should().Be(1, again.ToString());
        again.Lines.Should().Equal("NOT_HELD");
        CrashSupport.SemaphoreValue(_registry, "router-r1").Should().Be(1, "a free lock is never posted above 1");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Unlock_HeldWithoutRecordAndNoRecordOkMissing_RefusesStatingTheRisk(bool json)
    {
        await AbandonAsync("r1", "job-gone");
        CrashSupport.TearRouterRecord(_registry, "r1"); // Killed while writing its record.

        // --force alone vouches that the holder is gone; without a record nothing shows that it is not merely paused
        // longer than the override's quiet watch, so the operator must say so once more.
        var result = await RunAsync(["unlock", "r1", "--force", .. (json ? (string[])["--json"] : [])]);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Lines.Should().BeEmpty();
        result.Stderr.Should().StartWith($"ERROR InvalidOperationException: Lock '{_registry.Prefix}-router-r1' is held without a usable owner record.")
            .And.Contain("paused").And.Contain("SIGSTOP").And.Contain("0.5 s").And.Contain("--no-record-ok");
        CrashSupport.SemaphoreValue(_registry, "router-r1").Should().Be(0, "nothing was changed");
    }

    [Fact]
    public async Task Unlock_LockNameOfAnotherPrefix_RefusedAndCreatesNoSemaphore()
    {
        using var other = new RegistryFixture();
        var holder = other.StartWorker("lock", "r1", "job-other");
        await holder.ExpectAsync("acquired");
        var otherLock = $"{other.Prefix}-router-r1";

        // What 'locks' printed for the other prefix, given to this one: before, it was taken as a router of this prefix
        // named like the lock, whose semaphore was created on the spot, and the answer was NOT_HELD.
        var result = await RunAsync("unlock", otherLock, "--force");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith($"ERROR ArgumentException: target '{otherLock}' is not a lock of this registry")
            .And.Contain($"semaphore prefix '{_registry.Prefix}'").And.Contain("--prefix");
        _registry.SemaphoreFiles().Should().BeEmpty("a refused request creates no semaphore");
        other.SemaphoreFiles().Should().ContainSingle("the other prefix's lock is untouched");

        // A router merely named like a lock, not held anywhere: not held, and nothing created either.
        var edge = await RunAsync("unlock", "edge-router-1", "--force");
        edge.ExitCode.Should().Be(1, edge.ToString());
        edge.Lines.Should().Equal("NOT_HELD");
        _registry.SemaphoreFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task Unlock_RouterOnlyPythonCanName_UnlocksItAsLocksPrintsIt()
    {
        // A Python holder of router '_python' (a name NameRules refuses, Python checks none): the semaphore taken without
        // an owner record, and the notify file its earlier releases left.
        _registry.CreateManager().Dispose();
        var lockName = $"{_registry.Prefix}-router-_python";
        using (var semaphore = NamedSemaphore.OpenOrCreate("/" + lockName))
        {
            semaphore.TryWait().Should().BeTrue();
        }

        File.WriteAllText(Path.Combine(_registry.LockDirectory, "router__python_notify"), string.Empty);
        var locks = await RunAsync("locks");
        locks.Lines.Should().ContainMatch($"{lockName} *_python *- *- *- *no-record", locks.ToString());

        var result = await RunAsync("unlock", lockName, "--force", "--no-record-ok");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().Equal("UNLOCKED");
        CrashSupport.SemaphoreValue(_registry, "router-_python").Should().Be(1);
        _registry.SemaphoreFiles().Should().ContainSingle("no semaphore of a router named like the lock was created");
    }

    [Fact]
    public async Task Commands_ThatOnlyReadOrAreRefused_CreateNoSemaphore()
    {
        string[][] runs =
        [
            ["status"], ["status", "--json"], ["locks"], ["reap", "--dry-run"], ["reap", "--dry-run", "--json"],
            ["is-locked", "r9"], ["owner", "r9"], ["wait-router", "r9", "--timeout", "0"], ["sem-value", $"{_registry.Prefix}-router-r9"],
            ["hosts"], ["host-info", "web-9"], ["leases"], ["lease-count", "web-9"], ["release", "r9", "job-9"],
            ["unlock", "r9"], ["unlock", "r9", "--force"], ["unlock", $"{_registry.Prefix}-router-r9", "--force"],
            ["unlock", $"{_registry.Prefix}-hosts-registry", "--force", "--json"], ["unlock", "other-router-r9", "--force"],
        ];

        foreach (var run in runs)
        {
            var result = await RunAsync(run);

            result.ExitCode.Should().BeOneOf([0, 1, 2], result.ToString());
            _registry.SemaphoreFiles().Should().BeEmpty($"'{string.Join(' ', run)}' only reads or is refused");
        }
    }

    [Fact]
    public async Task Locks_RouterNamedLikeATemporaryFile_IsListedByLocksAndStatus()
    {
        var live = await HoldAsync("x.tmp", "job-tmp");

        var locks = await RunAsync("locks");
        var status = await RunAsync("status");

        locks.ExitCode.Should().Be(0, locks.ToString());
        locks.Lines.Should().HaveCount(2, locks.ToString());
        locks.Lines[1].Should().MatchRegex($"^{_registry.Prefix}-router-x\\.tmp +x\\.tmp +job-tmp +{live} +\\S+Z +alive$");
        status.ExitCode.Should().Be(0, status.ToString());
        status.Lines.Should().ContainMatch($"{_registry.Prefix}-router-x.tmp *x.tmp *job-tmp *{live}*alive", status.ToString());
    }

    [Fact]
    public async Task Unlock_DeadRecordedOwner_RecoversIt()
    {
        await AbandonAsync("r1", "job-gone");

        var result = await RunAsync("unlock", "r1", "--force");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().Equal("UNLOCKED");
        CrashSupport.SemaphoreValue(_registry, "router-r1").Should().Be(1);
        CrashSupport.RouterRecord(_registry, "r1").Should().BeNull();
    }

    [Fact]
    public async Task Unlock_RouterLockNameAsLocksPrintsIt_UnlocksThatRouter()
    {
        var dead = await AbandonAsync("r1", "job-gone");
        var lockName = $"{_registry.Prefix}-router-r1";

        var result = await RunAsync("unlock", lockName, "--force", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        document.RootElement.GetProperty("lock").GetString().Should().Be(lockName, "the lock of router r1, not of a router named after it");
        document.RootElement.GetProperty("previous_owner").GetProperty("pid").GetInt32().Should().Be(dead);
        CrashSupport.SemaphoreValue(_registry, "router-r1").Should().Be(1);
        CrashSupport.SemaphoreValue(_registry, $"router-{lockName}").Should().Be(-1, "no lock of a router named like the lock was touched");
    }

    private static void AssertReapJson(string json, StaleLeaseScenario scenario, bool dryRunExpected)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal(
            "dry_run", "host_leases", "hosts_released", "neighbor_entries_released", "neighbor_leases", "unknown_host_leases", "unknown_neighbor_leases");
        root.GetProperty("unknown_host_leases").GetArrayLength().Should().Be(0, "every lease here is of this pid namespace");
        root.GetProperty("dry_run").GetBoolean().Should().Be(dryRunExpected);
        root.GetProperty("host_leases").EnumerateArray()
            .Select(l => (l.GetProperty("key").GetString(), l.GetProperty("run_id").GetString(), l.GetProperty("pid").GetInt32()))
            .Should().BeEquivalentTo(
            [
                (StaleLeaseScenario.DeadHost, "run-dead", scenario.DeadPid),
                (StaleLeaseScenario.DeadHost, "run-dead", scenario.DeadPid),
                (StaleLeaseScenario.SharedHost, "run-shared-dead", scenario.SharedDeadPid),
            ]);
        root.GetProperty("neighbor_leases").GetArrayLength().Should().Be(2);
        root.GetProperty("hosts_released").EnumerateArray().Select(h => h.GetString()).Should().Equal(StaleLeaseScenario.DeadHost);
        root.GetProperty("neighbor_entries_released").EnumerateArray().Select(h => h.GetString())
            .Should().Equal($"{StaleLeaseScenario.DeadHost}:{StaleLeaseScenario.NeighborIp}");
    }

    private Task<CliResult> RunAsync(params string[] args) =>
        CliSandbox.RunRawAsync(["--registry-dir", _registry.Directory, "--prefix", _registry.Prefix, .. args]);

    /// <summary>A worker holds the router until the fixture kills it; returns its pid.</summary>
    private async Task<int> HoldAsync(string router, string job)
    {
        var worker = _registry.StartWorker("lock", router, job);
        await worker.ExpectAsync("acquired");
        return worker.Pid;
    }

    /// <summary>A worker takes the router and SIGKILLs itself; returns its (dead) pid.</summary>
    private async Task<int> AbandonAsync(string router, string job)
    {
        var worker = _registry.StartWorker("lock", router, job);
        await worker.ExpectAsync("acquired");
        worker.SendLine("abandon");
        await worker.WaitForExitAsync();
        return worker.Pid;
    }
}
