using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Locking;

/// <summary>Spec integration test "detailed jobs acquiring multiple router locks": overlapping sets, any order.</summary>
public sealed class MultiRouterLockTests : IDisposable
{
    /// <summary>A deadlock shows as this timeout; a healthy run needs a small fraction of it.</summary>
    private static readonly TimeSpan s_deadlockTimeout = TimeSpan.FromSeconds(60);

    private readonly RegistryFixture _registry = new();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task AllRouterLocks_OverlappingSetsGivenInDifferentOrders_AllFinishWithNoRouterSharedAtOnce()
    {
        var markers = _registry.CreateScratchDirectory("markers");
        var iterations = RegistryFixture.Number(150);

        // The sets overlap pairwise and name their routers in conflicting orders: taken in the given order they
        // would deadlock (r1 then r3 against r3 then r2 against r2 then r1).
        var multi = await _registry.StartTogetherAsync(
            "lock-all-loop",
            ["r1,r2,r3", iterations, "--marker-dir", markers],
            ["r3,r2", iterations, "--marker-dir", markers],
            ["r2,r1,r4", iterations, "--marker-dir", markers]);

        // A single-router job on one of the shared routers, with the same marker, checks single against multi.
        var single = _registry.StartWorker("lock-loop", "r2", iterations, "--marker", Path.Combine(markers, "r2.marker"));
        await single.ExpectAsync("ready");
        single.SendLine("go");

        WorkerProcess[] workers = [.. multi, single];
        var results = await Task.WhenAll(workers.Select(w => w.ExpectAsync("done", s_deadlockTimeout)));

        results.Should().AllSatisfy(r => r.Should().Equal(["0"], "no router may be held by two processes at once"));
        foreach (var worker in workers)
        {
            (await worker.WaitForExitAsync()).Should().Be(0);
        }

        Directory.EnumerateFileSystemEntries(markers).Should().BeEmpty();
        using var manager = _registry.CreateManager();
        foreach (var router in new[] { "r1", "r2", "r3", "r4" })
        {
            manager.IsRouterLocked(router).Should().BeFalse("{0} must be free once every job is done", router);
        }
    }
}
