using System.Diagnostics;
using System.Globalization;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Locking;

/// <summary>
/// Spec integration test "quick jobs waiting for detailed jobs": a detailed job holds a router in one process, a
/// quick job waits for it in another. The order of events is read from timestamps of one machine-wide monotonic
/// clock (<see cref="Stopwatch"/>, CLOCK_MONOTONIC), printed by the workers.
/// </summary>
public sealed class WaitForRouterTests : IDisposable
{
    private static readonly TimeSpan s_shortTimeout = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan s_longTimeout = TimeSpan.FromSeconds(60);

    private readonly RegistryFixture _registry = new();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task WaitForRouter_InAnotherProcessWhileDetailedJobHolds_ReturnsOnlyAfterTheRelease()
    {
        var detailed = _registry.StartWorker("lock", "r1", "detailed-1");
        await detailed.ExpectAsync("acquired");

        var quick = _registry.StartWorker("wait", "r1", "--timeout", "60");
        await quick.ExpectAsync("waiting");
        quick.TryReadPrintedLine().Should().BeNull("the router is still held, so the quick job must still be waiting");

        detailed.SendLine("release");
        var releasedAt = Timestamp((await detailed.ExpectAsync("released"))[0]);
        var free = await quick.ExpectAsync("free", s_longTimeout);

        Timestamp(free[1]).Should().BeGreaterThan(releasedAt, "WaitForRouter must not return before the holder starts releasing");
        (await quick.WaitForExitAsync()).Should().Be(0);
        (await detailed.WaitForExitAsync()).Should().Be(0);
    }

    [Fact]
    public async Task WaitForRouter_InAnotherProcessWhileHeldPastItsTimeout_ReportsTimeout()
    {
        var detailed = _registry.StartWorker("lock", "r1", "detailed-1");
        await detailed.ExpectAsync("acquired");

        var quick = _registry.StartWorker("wait", "r1", "--timeout", "0.3");
        await quick.ExpectAsync("waiting");

        await quick.ExpectAsync("timeout");
        (await quick.WaitForExitAsync()).Should().Be(1);

        detailed.SendLine("release");
        await detailed.ExpectAsync("released");
    }

    [Fact]
    public async Task WaitForRouter_InTestProcessWhileWorkerHolds_TimesOutThenReturnsTrueAfterRelease()
    {
        var detailed = _registry.StartWorker("lock", "r1", "detailed-1");
        await detailed.ExpectAsync("acquired");
        var manager = _registry.CreateManager();

        // The spec's wait_for_router returns at once while a router is held; this one waits out its timeout.
        manager.IsRouterLocked("r1").Should().BeTrue();
        manager.WaitForRouter("r1", s_shortTimeout).Should().BeFalse();

        var wait = Task.Run(() =>
        {
            var free = manager.WaitForRouter("r1", s_longTimeout);
            return (Free: free, At: Stopwatch.GetTimestamp());
        });

        detailed.SendLine("release");
        var releasedAt = Timestamp((await detailed.ExpectAsync("released"))[0]);
        var result = await wait.WaitAsync(s_longTimeout);

        result.Free.Should().BeTrue();
        result.At.Should().BeGreaterThan(releasedAt);
        manager.IsRouterLocked("r1").Should().BeFalse();
    }

    [Fact]
    public async Task WaitForRouter_QuickJobThenLocks_GetsTheRouterAfterTheDetailedJob()
    {
        var detailed = _registry.StartWorker("lock", "r1", "detailed-1");
        await detailed.ExpectAsync("acquired");
        var quick = _registry.StartWorker("wait", "r1", "--timeout", "60");
        await quick.ExpectAsync("waiting");

        detailed.SendLine("release");
        await detailed.ExpectAsync("released");
        await quick.ExpectAsync("free", s_longTimeout);

        // What a quick job does next: take the router it waited for.
        var quickLock = _registry.StartWorker("lock", "r1", "quick-1", "--timeout", "10");
        await quickLock.ExpectAsync("acquired");
        quickLock.SendLine("release");
        await quickLock.ExpectAsync("released");
    }

    [Fact]
    public async Task WaitForAllRouters_WhileAnotherProcessHoldsSome_TimesOutThenReturnsTrueAfterRelease()
    {
        var detailed = _registry.StartWorker("lock-all", "r2,r3", "detailed-1");
        await detailed.ExpectAsync("acquired");
        var manager = _registry.CreateManager();

        manager.WaitForAllRouters(["r1", "r2", "r3"], s_shortTimeout).Should().BeFalse();

        var wait = Task.Run(() => manager.WaitForAllRouters(["r3", "r1", "r2"], s_longTimeout));
        detailed.SendLine("release");
        await detailed.ExpectAsync("released");

        (await wait.WaitAsync(s_longTimeout)).Should().BeTrue();
    }

    private static long Timestamp(string token) => long.Parse(token, CultureInfo.InvariantCulture);
}
