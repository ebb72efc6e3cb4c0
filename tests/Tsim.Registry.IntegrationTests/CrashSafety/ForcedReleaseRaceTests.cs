using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// The operator override must not free a lock that is alive: a live C# lock has no owner record for a moment at
/// every handover, so an override that posted whenever it saw "held, no record" would let two holders in. With
/// <c>shared_with_python = false</c> the holders' records are in the router's slot, and the override tells a handover
/// from a dead holder by the slot's sequence (its snapshot).
/// </summary>
public sealed class ForcedReleaseRaceTests(ITestOutputHelper output) : IDisposable
{
    private const int Iterations = 2000;

    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();

    public void Dispose() => _registry.Dispose();

    /// <param name="workersShared">The holders' <c>shared_with_python</c>: their records in the lock file, or in the slot.</param>
    /// <param name="overrideShared">The override's setting: it must judge holders of either setting alike.</param>
    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task ForceReleaseRouterLock_WhileTwoProcessesHandTheLockBackAndForth_NeverFreesItAndNoOverlap(bool workersShared, bool overrideShared)
    {
        var marker = Path.Combine(_registry.CreateScratchDirectory("force"), "inside");
        string[] arguments = workersShared
            ? ["r1", RegistryFixture.Number(Iterations), "--marker", marker]
            : ["r1", RegistryFixture.Number(Iterations), "--marker", marker, "--no-shared-with-python"];
        var workers = await _registry.StartTogetherAsync("lock-loop", [arguments, arguments]);
        using var manager = new RegistryManager(new RegistryManagerOptions
        {
            RegistryDirectory = _registry.Directory,
            SemaphorePrefix = _registry.Prefix,
            SharedWithPython = overrideShared,
        });

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
        refused.Should().BePositive("the override must have met the lock held");
        CrashSupport.SemaphoreValue(_registry, "router-r1").Should().Be(1, "the semaphore ends free, never above 1");
        File.Exists(_registry.LockFilePath("router-r1")).Should().BeFalse("no record outlives its hold");
    }
}
