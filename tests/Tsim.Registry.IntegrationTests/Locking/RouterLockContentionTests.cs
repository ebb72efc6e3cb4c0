using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Locking;

/// <summary>Spec integration test "multiple processes competing for locks": one router, several processes.</summary>
public sealed class RouterLockContentionTests : IDisposable
{
    private static readonly TimeSpan s_loopTimeout = TimeSpan.FromSeconds(120);

    private readonly RegistryFixture _registry = new();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task AcquireRouterLock_FourProcessesInTightLoops_NeverTwoInsideAndFreeAfterwards()
    {
        const int Workers = 4;
        const int Iterations = 300;
        var marker = _registry.PathOf("r1.marker");
        var counter = _registry.PathOf("r1.counter");
        string[] arguments = ["r1", RegistryFixture.Number(Iterations), "--marker", marker, "--counter", counter];

        var workers = await _registry.StartTogetherAsync("lock-loop", [.. Enumerable.Repeat(arguments, Workers)]);

        foreach (var worker in workers)
        {
            (await worker.ExpectAsync("done", s_loopTimeout)).Should().Equal(["0"], "no other process may be inside while {0} holds the lock", worker.Pid);
            (await worker.WaitForExitAsync()).Should().Be(0);
        }

        // Lost updates would show here even if no marker ever collided.
        File.ReadAllText(counter).Should().Be(RegistryFixture.Number(Workers * Iterations));
        File.Exists(marker).Should().BeFalse();

        using var manager = _registry.CreateManager();
        manager.IsRouterLocked("r1").Should().BeFalse();
        manager.GetRouterLockOwner("r1").Should().BeNull();
        File.Exists(Path.Combine(manager.LockDirectory, $"{_registry.Prefix}-router-r1")).Should().BeFalse("the owner record exists only while the router is held");

        // Free means exactly one permit: one try-lock succeeds, a second one (another manager) must not.
        using var other = _registry.CreateManager();
        manager.AcquireRouterLock("r1", "check", TimeSpan.Zero).Should().BeTrue();
        other.AcquireRouterLock("r1", "check-2", TimeSpan.Zero).Should().BeFalse("a semaphore posted twice would let a second holder in");
        manager.ReleaseRouterLock("r1", "check").Should().BeTrue();
    }

    [Fact]
    public async Task ReleaseRouterLock_FromAProcessThatDoesNotHoldIt_ReturnsFalseAndTheHolderKeepsIt()
    {
        var holder = _registry.StartWorker("lock", "r1", "detailed-1");
        await holder.ExpectAsync("acquired");
        var manager = _registry.CreateManager();

        // The spec posts anyway, lifting the semaphore to 2 and letting two jobs in; here nothing changes.
        manager.ReleaseRouterLock("r1", "detailed-1").Should().BeFalse("the same job id in another process is not the holder");
        manager.ReleaseRouterLock("r1", "someone-else").Should().BeFalse();
        manager.IsRouterLocked("r1").Should().BeTrue();
        manager.AcquireRouterLock("r1", "quick-1", TimeSpan.Zero).Should().BeFalse();
        manager.GetRouterLockOwner("r1")!.JobId.Should().Be("detailed-1");

        holder.SendLine("release");
        await holder.ExpectAsync("released");
        manager.AcquireRouterLock("r1", "quick-1", TimeSpan.Zero).Should().BeTrue();
        manager.ReleaseRouterLock("r1", "quick-1").Should().BeTrue();
    }
}
