using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// Leases of SIGKILLed processes are found, reported and removed by <see cref="RegistryManager.ReapStaleLeases"/>;
/// a live process's leases stay; a dry run writes nothing.
/// </summary>
public sealed class StaleLeaseReapTests : IDisposable
{
    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task LeasesOfKilledProcesses_AreReapedAndReported_LiveLeasesKept_DryRunWritesNothing()
    {
        var manager = _registry.CreateManager();
        var scenario = await StaleLeaseScenario.CreateAsync(_registry, manager);

        var hostLeasesBefore = File.ReadAllBytes(_registry.PathOf("host_leases.json"));
        var neighborLeasesBefore = File.ReadAllBytes(_registry.PathOf("neighbor_leases.json"));
        var dryRun = manager.ReapStaleLeases(dryRun: true);
        File.ReadAllBytes(_registry.PathOf("host_leases.json")).Should().Equal(hostLeasesBefore, "a dry run writes nothing");
        File.ReadAllBytes(_registry.PathOf("neighbor_leases.json")).Should().Equal(neighborLeasesBefore, "a dry run writes nothing");
        dryRun.DryRun.Should().BeTrue();

        var report = manager.ReapStaleLeases();

        foreach (var result in (StaleLeaseReport[])[dryRun, report])
        {
            scenario.AssertReport(result);
        }

        report.DryRun.Should().BeFalse();
        manager.GetHostLeaseCount(StaleLeaseScenario.DeadHost).Should().Be(0);
        manager.GetHostLeaseCount(StaleLeaseScenario.SharedHost).Should().Be(1, "the live process's lease stays");
        manager.ListHostLeases()[StaleLeaseScenario.SharedHost].Leases.Should().ContainSingle().Which.Pid.Should().Be(scenario.Live.Pid);

        var again = manager.ReapStaleLeases();
        again.HostLeases.Should().BeEmpty();
        again.NeighborLeases.Should().BeEmpty();

        scenario.Live.SendLine("release");
        (await scenario.Live.ExpectAsync("released")).Should().Equal("0");
    }
}

/// <summary>
/// Two processes take leases and are SIGKILLed, one stays alive: <see cref="DeadHost"/> ends up with only dead
/// leases (two host leases and two neighbour leases of one process), <see cref="SharedHost"/> with one dead and one live
/// lease. Shared by the library test above and the CLI's <c>reap</c> tests.
/// </summary>
internal sealed class StaleLeaseScenario
{
    internal const string DeadHost = "h1";
    internal const string SharedHost = "h2";
    internal const string NeighborIp = "10.0.0.50";

    private StaleLeaseScenario(int deadPid, int sharedDeadPid, WorkerProcess live)
    {
        DeadPid = deadPid;
        SharedDeadPid = sharedDeadPid;
        Live = live;
    }

    internal int DeadPid { get; }

    internal int SharedDeadPid { get; }

    /// <summary>Gets the live lease holder; send it <c>release</c> to end it.</summary>
    internal WorkerProcess Live { get; }

    internal static async Task<StaleLeaseScenario> CreateAsync(RegistryFixture registry, RegistryManager manager)
    {
        manager.CheckAndRegisterHost(DeadHost, "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();
        manager.CheckAndRegisterHost(SharedHost, "10.0.0.2", "r1", "02:00:00:00:00:02").Should().BeTrue();

        var dead = registry.StartWorker("lease-loop", DeadHost, "run-dead", "2", "--hold", "--neighbor", NeighborIp);
        var sharedDead = registry.StartWorker("lease-loop", SharedHost, "run-shared-dead", "1", "--hold");
        var live = registry.StartWorker("lease-loop", SharedHost, "run-live", "1", "--hold");
        foreach (var worker in (WorkerProcess[])[dead, sharedDead, live])
        {
            await worker.ExpectAsync("ready");
            worker.SendLine("go");
            await worker.ExpectAsync("held");
        }

        await dead.KillAsync();
        await sharedDead.KillAsync();
        return new StaleLeaseScenario(dead.Pid, sharedDead.Pid, live);
    }

    internal void AssertReport(StaleLeaseReport report)
    {
        report.HostLeases.Select(l => (l.Key, l.RunId, l.Pid)).Should().BeEquivalentTo(
        [
            (DeadHost, "run-dead", DeadPid),
            (DeadHost, "run-dead", DeadPid),
            (SharedHost, "run-shared-dead", SharedDeadPid),
        ]);
        report.NeighborLeases.Select(l => (l.Key, l.RunId, l.Pid)).Should().BeEquivalentTo(
        [
            ($"{DeadHost}:{NeighborIp}", "run-dead", DeadPid),
            ($"{DeadHost}:{NeighborIp}", "run-dead", DeadPid),
        ]);
        report.HostsReleased.Should().Equal(DeadHost);
        report.NeighborEntriesReleased.Should().Equal($"{DeadHost}:{NeighborIp}");
    }
}
