using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Lifetime;

/// <summary>Disposing a manager releases the router locks it still holds, for every other process to see.</summary>
public sealed class ManagerDisposalTests : IDisposable
{
    private readonly RegistryFixture _registry = new();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task Dispose_WorkerManagerHoldingARouter_AnotherProcessCanAcquireIt()
    {
        var holder = _registry.StartWorker("lock", "r1", "detailed-1");
        await holder.ExpectAsync("acquired");
        var manager = _registry.CreateManager();
        manager.IsRouterLocked("r1").Should().BeTrue();

        holder.SendLine("dispose");
        await holder.ExpectAsync("disposed");

        // The holder process is still alive: only Dispose can have released the lock.
        manager.IsRouterLocked("r1").Should().BeFalse();
        File.Exists(Path.Combine(manager.LockDirectory, $"{_registry.Prefix}-router-r1")).Should().BeFalse();
        var next = _registry.StartWorker("lock", "r1", "detailed-2", "--timeout", "0");
        await next.ExpectAsync("acquired");
        next.SendLine("release");
        await next.ExpectAsync("released");

        holder.SendLine("exit");
        (await holder.WaitForExitAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Dispose_WorkerManagerHoldingSeveralRouters_ReleasesAllAndWakesAWaiter()
    {
        var holder = _registry.StartWorker("lock-all", "r1,r2,r3", "detailed-1");
        await holder.ExpectAsync("acquired");
        var waiter = _registry.StartWorker("wait", "r2", "--timeout", "60");
        await waiter.ExpectAsync("waiting");

        holder.SendLine("dispose");
        await holder.ExpectAsync("disposed");
        await waiter.ExpectAsync("free", TimeSpan.FromSeconds(60));

        var manager = _registry.CreateManager();
        manager.AcquireAllRouterLocksAtomic(["r1", "r2", "r3"], "detailed-2", TimeSpan.Zero).Should().BeTrue();
        manager.ReleaseAllRouterLocks(["r1", "r2", "r3"], "detailed-2").Should().Be(3);

        holder.SendLine("exit");
        (await holder.WaitForExitAsync()).Should().Be(0);
    }
}
