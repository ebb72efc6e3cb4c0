using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// <see cref="ForcedReleaseRaceTests"/> with <c>shared_with_python = false</c>: the holders' records are in the
/// router's slot, so the override can only tell a handover from a dead holder by the slot's sequence (its
/// snapshot). It must never free the lock two live processes hand back and forth.
/// </summary>
public sealed class ForcedReleaseSlotRaceTests(ITestOutputHelper output) : IDisposable
{
    private const int Iterations = 3000;

    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();

    public void Dispose() => _registry.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ForceReleaseRouterLock_WhileTwoNotSharedProcessesHandTheLockBackAndForth_NeverFreesIt(bool overrideShared)
    {
        var marker = Path.Combine(_registry.CreateScratchDirectory("force"), "inside");
        string[] arguments = ["r1", RegistryFixture.Number(Iterations), "--marker", marker, "--no-shared-with-python"];
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
        File.Exists(SlotRecords.CompatibilityFilePath(_registry, "router-r1")).Should().BeFalse();
    }
}
