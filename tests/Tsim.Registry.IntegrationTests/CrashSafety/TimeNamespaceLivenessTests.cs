using System.Text.Json;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// Owners and judges in different time namespaces (boot time offset by 100,000 s): each reads every start time with
/// its own offset, so the very same live process shows another start time to the other. The mismatch is never taken
/// for a reused pid (docs/ARCHITECTURE.md, "Crash safety", Liveness).
/// </summary>
public sealed class TimeNamespaceLivenessTests : NamespaceLivenessTestBase
{
    [NamespaceFact(TestNamespace.Time)]
    public async Task OwnerInATimeNamespace_ItsLeaseAndLock_AreNeverTakenForDeadFromOutside()
    {
        using var leaser = Namespaces.StartWorker(TestNamespace.Time, "lease-loop", "h1", "run-t", "1", "--hold");
        await leaser.ExpectAsync("ready");
        leaser.SendLine("go");
        await leaser.ExpectAsync("held");
        using var holder = Namespaces.StartWorker(TestNamespace.Time, "lock", "r1", "job-t");
        await holder.ExpectAsync("acquired");

        var report = Manager.ReapStaleLeases(dryRun: true);
        report.HostLeases.Should().BeEmpty("the owner runs; only its start time reads differently here");
        report.UnknownHostLeases.Select(l => (l.RunId, l.Pid)).Should().Equal(("run-t", NamespaceProcesses.OnlyChild(leaser.Pid)));

        Manager.ListHeldLocks().Single(l => l.RouterName == "r1").OwnerState.Should().Be(LockOwnerState.Unknown);
        Manager.AcquireRouterLock("r1", "job-out", TimeSpan.FromSeconds(2)).Should().BeFalse("a live holder's lock is never recovered");
        Manager.GetRouterLockOwner("r1")!.JobId.Should().Be("job-t");

        holder.SendLine("release");
        await holder.ExpectAsync("released");
        leaser.SendLine("release");
        await leaser.ExpectAsync("released");
    }

    [NamespaceFact(TestNamespace.Time)]
    public async Task JudgeInATimeNamespace_LeaseOfALiveOwnerOutside_IsNeverTakenForDead()
    {
        var owner = Registry.StartWorker("lease-loop", "h1", "run-out", "1", "--hold");
        await owner.ExpectAsync("ready");
        owner.SendLine("go");
        await owner.ExpectAsync("held");

        var result = await Namespaces.RunCliAsync(TestNamespace.Time, "reap", "--dry-run", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        var report = JsonDocument.Parse(result.Stdout).RootElement;
        report.GetProperty("host_leases").GetArrayLength().Should().Be(0, "the owner runs: " + result);
        report.GetProperty("unknown_host_leases").EnumerateArray().Select(l => (l.GetProperty("run_id").GetString(), l.GetProperty("pid").GetInt32()))
            .Should().Equal(("run-out", owner.Pid));

        owner.SendLine("release");
        await owner.ExpectAsync("released");
    }
}
