using System.Text.Json;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// Leases and locks across pid namespaces, in real namespaces: a lease taken in a child pid namespace belongs to the
/// script there and is judged alive there, is never reaped from outside (its pid means nothing here), and a judge
/// whose <c>/proc</c> is of an ancestor namespace never takes a live owner for dead (docs/ARCHITECTURE.md, "Crash
/// safety", Liveness).
/// </summary>
public sealed class PidNamespaceLivenessTests : NamespaceLivenessTestBase
{
    /// <summary>
    /// A job script in a child pid namespace: takes a lease through the CLI (<c>"$@"</c>), judges the registry from
    /// its namespace into the file <c>$1</c> (<c>reap --dry-run --json</c>), says <c>held PID</c> and exits on its
    /// next stdin line.
    /// </summary>
    private const string JobScript = """
        report="$1"; shift
        "$@" lease-acquire run-in h1 r1 || exit 1
        "$@" reap --dry-run --json > "$report" || exit 1
        echo "held $$"
        read line
        """;

    [NamespaceFact(TestNamespace.Pid)]
    public async Task ChildPidNamespace_ScriptsLease_AliveThere_UnknownHere_NeverReapedFromHere()
    {
        Manager.AcquireSourceHostLease("run-out", "h1", "quick", "r1");
        var report = Path.Combine(Registry.CreateScratchDirectory("inner"), "reap.json");

        using var script = Namespaces.StartScript(TestNamespace.Pid, JobScript, report);
        (await script.ReadLineAsync()).Should().Be("2");
        (await script.ExpectAsync("held")).Should().Equal(["1"], "the script is the first process of its pid namespace");

        // Judged where it was taken: the script runs, so its lease is live; this process's lease is of another namespace.
        var inner = JsonDocument.Parse(File.ReadAllText(report)).RootElement;
        inner.GetProperty("host_leases").GetArrayLength().Should().Be(0, "the script that took the lease runs");
        Leases(inner, "unknown_host_leases").Should().Equal(("h1", "run-out", Environment.ProcessId));

        // Judged here: pid 1 of another namespace.
        var outer = Manager.ReapStaleLeases(dryRun: true);
        outer.HostLeases.Should().BeEmpty();
        outer.UnknownHostLeases.Select(l => (l.Key, l.RunId, l.Pid)).Should().Equal(("h1", "run-in", 1));
        var status = await RunCliAsync("status", "--json");
        JsonDocument.Parse(status.Stdout).RootElement.GetProperty("leases").EnumerateArray()
            .Select(l => (l.GetProperty("run_id").GetString(), l.GetProperty("holder").GetString()))
            .Should().Equal(("run-out", "alive"), ("run-in", "unknown"));
        var reapText = await RunCliAsync("reap", "--dry-run");
        reapText.Lines.Should().ContainInOrder(["no lease of a dead process"]).And.Contain(l => l.StartsWith("KEPT_UNKNOWN ", StringComparison.Ordinal))
            .And.ContainMatch("host lease *h1 *run-in *1 *20*Z");
        reapText.Lines[^1].Should().Be(
            "dry run, nothing written: 0 host lease(s), 0 neighbour lease(s) of dead processes; 1 kept whose process cannot be judged here "
            + "(another pid namespace, or this /proc is not of this pid namespace)");

        script.SendLine("exit");
        (await script.WaitForExitAsync()).Should().Be(0);

        var afterExit = Manager.ReapStaleLeases();
        afterExit.HostLeases.Should().BeEmpty("a pid of another namespace is never judged dead here, even once its namespace is gone");
        afterExit.UnknownHostLeases.Select(l => l.RunId).Should().Equal("run-in");
        Manager.GetHostLeaseCount("h1").Should().Be(2);
    }

    [NamespaceFact(TestNamespace.Pid)]
    public async Task ProcOfAnAncestorPidNamespace_LiveOwnersLease_IsNeverReaped()
    {
        using var owner = Namespaces.StartWorker(TestNamespace.Pid, "lease-loop", "h1", "run-in", "1", "--hold");
        await owner.ExpectAsync("ready");
        owner.SendLine("go");
        await owner.ExpectAsync("held");
        var ownerHere = NamespaceProcesses.OnlyChild(owner.Pid);

        // In the owner's pid namespace with our /proc, /proc/1 is our namespace's pid 1, not the owner.
        var dryRun = await Namespaces.RunCliInPidNamespaceOfAsync(ownerHere, "reap", "--dry-run", "--json");
        dryRun.ExitCode.Should().Be(0, dryRun.ToString());
        var report = JsonDocument.Parse(dryRun.Stdout).RootElement;
        report.GetProperty("host_leases").GetArrayLength().Should().Be(0, "a live owner must never look dead: " + dryRun);
        Leases(report, "unknown_host_leases").Should().Equal(("h1", "run-in", 1));

        var reap = await Namespaces.RunCliInPidNamespaceOfAsync(ownerHere, "reap", "--json");
        reap.ExitCode.Should().Be(0, reap.ToString());
        Manager.GetHostLeaseCount("h1").Should().Be(1);

        owner.SendLine("release");
        await owner.ExpectAsync("released");
    }

    [NamespaceFact(TestNamespace.Pid)]
    public async Task ProcOfAnAncestorPidNamespace_LiveHoldersLock_IsNeverRecovered()
    {
        using var holder = Namespaces.StartWorker(TestNamespace.Pid, "lock", "r1", "job-in");
        await holder.ExpectAsync("acquired");
        var holderHere = NamespaceProcesses.OnlyChild(holder.Pid);

        var locks = await Namespaces.RunCliInPidNamespaceOfAsync(holderHere, "locks", "--json");
        locks.ExitCode.Should().Be(0, locks.ToString());
        var owner = JsonDocument.Parse(locks.Stdout).RootElement.GetProperty("locks").EnumerateArray().Single();
        (owner.GetProperty("job_id").GetString(), owner.GetProperty("pid").GetInt32(), owner.GetProperty("owner_state").GetString())
            .Should().Be(("job-in", 1, "unknown"));

        // A waiter there probes the owner after each slice: it must time out, never recover a live holder's lock.
        var waiter = await Namespaces.RunCliInPidNamespaceOfAsync(holderHere, "trylock", "r1", "job-out", "--timeout", "2");
        waiter.ExitCode.Should().Be(1, waiter.ToString());
        waiter.Lines.Should().Equal("TIMEOUT");
        CrashSupport.SemaphoreValue(Registry, "router-r1").Should().Be(0, "the holder still holds it");
        Manager.GetRouterLockOwner("r1")!.JobId.Should().Be("job-in");

        holder.SendLine("release");
        await holder.ExpectAsync("released");
    }

    private Task<ProcessRun> RunCliAsync(params string[] arguments) =>
        Cli.CliSandbox.RunRawAsync(["--registry-dir", Registry.Directory, "--prefix", Registry.Prefix, .. arguments]);

    private static IEnumerable<(string?, string?, int)> Leases(JsonElement report, string key) =>
        report.GetProperty(key).EnumerateArray().Select(l => (l.GetProperty("key").GetString(), l.GetProperty("run_id").GetString(), l.GetProperty("pid").GetInt32()));
}
