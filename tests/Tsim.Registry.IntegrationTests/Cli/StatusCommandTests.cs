using System.Text.Json;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary><c>status</c> on a registry seeded through the CLI (<see cref="OperatorRegistry"/>), as tables and as JSON.</summary>
public sealed class StatusCommandTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Status_EmptyRegistry_SaysNoneEverywhere()
    {
        var result = await _sandbox.RunAsync("status");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().ContainInOrder("== hosts (0) ==", "none", "== leases (0) ==", "none", "== locks held (0) ==", "none", "== stale (0) ==");
        result.Lines[^1].Should().Be("0 host(s), 0 lease(s), 0 lock(s) held, 0 stale");
    }

    [Fact]
    public async Task Status_SeededRegistry_TablesShowOwnersAndFlagStaleEntries()
    {
        var registry = await OperatorRegistry.SeedAsync(_sandbox);
        var prefix = _sandbox.Prefix;

        var result = await _sandbox.RunAsync("status");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.Should().NotContain("\u001b", "redirected output carries no ANSI codes");
        result.Stdout.Should().NotContainAny(["│", "─", "╭"], "redirected tables have no box characters");
        result.Lines.Should().OnlyContain(l => l == l.TrimEnd(), "no trailing blanks");
        result.Lines[0].Should().Be(
            $"registry {_sandbox.RegistryDirectory} (hosts.json, host_leases.json, neighbor_leases.json), locks {_sandbox.RegistryDirectory}/locks, semaphore prefix {prefix}, IP scope global");
        Section(result, "hosts (2)").Should().SatisfyRespectively(
            header => header.Should().MatchRegex("^NAME +IP +MAC +ROUTER +LEASES$"),
            web1 => web1.Should().MatchRegex("^web-1 +10.0.0.10/24 +02:00:00:00:00:0a +r1 +1$"),
            web2 => web2.Should().MatchRegex("^web-2 +10.0.0.11/24 +02:00:00:00:00:0b +r2 +0$"));
        Section(result, "leases (1)").Should().SatisfyRespectively(
            header => header.Should().MatchRegex("^HOST +ROUTER +RUN +PID +JOB_TYPE +DSCP +ALLOCATED_AT +HOLDER$"),
            lease => lease.Should().MatchRegex($"^web-1 +r1 +run-1 +{registry.DeadLeaseHolderPid} +quick +32 +\\d{{4}}-\\d\\d-\\d\\dT[0-9:.]+Z +dead$"));
        Section(result, "locks held (2)").Should().SatisfyRespectively(
            header => header.Should().MatchRegex("^LOCK +ROUTER +JOB +PID +ACQUIRED_AT +OWNER$"),
            live => live.Should().MatchRegex($"^{prefix}-router-r2 +r2 +job-live +{registry.LiveHolderPid} +\\S+Z +alive$"),
            dead => dead.Should().MatchRegex($"^{prefix}-router-r3 +r3 +job-gone +{registry.DeadHolderPid} +\\S+Z +dead$"));
        Section(result, "stale (2)").Should().Equal(
            $"host lease web-1: run run-1, pid {registry.DeadLeaseHolderPid} is dead (reap)",
            $"lock {prefix}-router-r3: owner job job-gone, pid {registry.DeadHolderPid} is dead (unlock r3 --force)");
        result.Lines[^1].Should().StartWith("2 host(s), 1 lease(s), 2 lock(s) held, 2 stale: ");
    }

    [Fact]
    public async Task Status_Json_SameContentAsTheTables()
    {
        var registry = await OperatorRegistry.SeedAsync(_sandbox);

        var result = await _sandbox.RunAsync("status", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        var root = document.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal(
            "hosts", "ip_collision_scope", "leases", "lock_dir", "locks", "prefix", "registry_dir", "registry_files", "stale");
        root.GetProperty("prefix").GetString().Should().Be(_sandbox.Prefix);
        root.GetProperty("ip_collision_scope").GetString().Should().Be("global");
        root.GetProperty("registry_files").EnumerateObject().Select(p => (p.Name, p.Value.GetString())).Should().Equal(
            ("host_leases", Path.Combine(_sandbox.RegistryDirectory, "host_leases.json")),
            ("hosts", Path.Combine(_sandbox.RegistryDirectory, "hosts.json")),
            ("neighbor_leases", Path.Combine(_sandbox.RegistryDirectory, "neighbor_leases.json")));
        root.GetProperty("hosts").EnumerateArray()
            .Select(h => (h.GetProperty("name").GetString(), h.GetProperty("primary_ip").GetString(), h.GetProperty("mac_address").GetString(),
                h.GetProperty("connected_to").GetString(), h.GetProperty("lease_count").GetInt32()))
            .Should().Equal(("web-1", "10.0.0.10/24", "02:00:00:00:00:0a", "r1", 1), ("web-2", "10.0.0.11/24", "02:00:00:00:00:0b", "r2", 0));

        var lease = root.GetProperty("leases").EnumerateArray().Should().ContainSingle().Subject;
        lease.GetProperty("host").GetString().Should().Be("web-1");
        lease.GetProperty("run_id").GetString().Should().Be("run-1");
        lease.GetProperty("pid").GetInt32().Should().Be(registry.DeadLeaseHolderPid);
        lease.GetProperty("dscp").GetInt32().Should().Be(32);
        lease.GetProperty("holder").GetString().Should().Be("dead");
        lease.GetProperty("allocated_at").GetDouble().Should().BeGreaterThan(1.7e9);

        var locks = root.GetProperty("locks").EnumerateArray().ToList();
        locks.Select(l => (l.GetProperty("router").GetString(), l.GetProperty("job_id").GetString(), l.GetProperty("pid").GetInt32(),
                l.GetProperty("owner_state").GetString(), l.GetProperty("stale").GetBoolean()))
            .Should().Equal(("r2", "job-live", registry.LiveHolderPid, "alive", false), ("r3", "job-gone", registry.DeadHolderPid, "dead", true));
        locks.Should().OnlyContain(l => l.GetProperty("acquired_at").GetDouble() > 1.7e9);

        var stale = root.GetProperty("stale");
        stale.GetProperty("count").GetInt32().Should().Be(2);
        stale.GetProperty("check_error").ValueKind.Should().Be(JsonValueKind.Null);
        stale.GetProperty("host_leases").EnumerateArray().Select(l => (l.GetProperty("key").GetString(), l.GetProperty("run_id").GetString(), l.GetProperty("pid").GetInt32()))
            .Should().Equal(("web-1", "run-1", registry.DeadLeaseHolderPid));
        stale.GetProperty("neighbor_leases").GetArrayLength().Should().Be(0);
        stale.GetProperty("locks").EnumerateArray().Select(l => l.GetProperty("lock").GetString()).Should().Equal($"{_sandbox.Prefix}-router-r3");
    }

    /// <summary>The lines after <c>== title ==</c> up to the next heading or the closing summary.</summary>
    private static List<string> Section(CliResult result, string title)
    {
        var start = result.Lines.ToList().IndexOf($"== {title} ==");
        start.Should().BeGreaterThanOrEqualTo(0, $"a section '{title}' is printed:\n{result}");
        return [.. result.Lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("== ", StringComparison.Ordinal) && !l.Contains(" host(s), ", StringComparison.Ordinal))];
    }
}
