using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// The operator override must not free a lock that is alive: a live C# lock has no owner record for a moment at
/// every handover, so an override that posted whenever it saw "held, no record" would let two holders in.
/// </summary>
public sealed class ForcedReleaseRaceTests(ITestOutputHelper output) : IDisposable
{
    private const int Iterations = 1500;

    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task ForceReleaseRouterLock_WhileTwoProcessesHandTheLockBackAndForth_NeverFreesItAndNoOverlap()
    {
        var marker = Path.Combine(_registry.CreateScratchDirectory("force"), "inside");
        string[] arguments = ["r1", RegistryFixture.Number(Iterations), "--marker", marker];
        var workers = await _registry.StartTogetherAsync("lock-loop", [arguments, arguments]);
        using var manager = _registry.CreateManager();

        var loops = workers.Select(w => w.ExpectAsync("done", TimeSpan.FromSeconds(120))).ToArray();
        int refused = 0, notHeld = 0, freed = 0;
        while (!loops.All(l => l.IsCompleted))
        {
            try
            {
                if (manager.ForceReleaseRouterLock("r1"))
                {
                    freed++;
                }
                else
                {
                    notHeld++;
                }
            }
            catch (InvalidOperationException)
            {
                refused++;
            }
        }

        foreach (var loop in loops)
        {
            (await loop).Should().Equal(["0"], "a forced release must never let a second holder in");
        }

        output.WriteLine($"override: {refused} refused, {notHeld} not held, {freed} freed");
        freed.Should().Be(0, "the lock was never held by a dead process");
        (refused + notHeld).Should().BePositive();
        CrashSupport.SemaphoreValue(_registry, "router-r1").Should().Be(1, "the semaphore ends free, never above 1");
    }
}
