using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// A process that holds a router through the library (no handler of its own) releases it when it is told to end
/// with SIGTERM, and when it exits normally without disposing its manager.
/// </summary>
public sealed class ReleaseOnExitTests : IDisposable
{
    private const string Router = "r1";

    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task Sigterm_WhileHolding_ReleasesTheRouterBeforeTheProcessEnds()
    {
        var holder = await StartHolderAsync();

        await holder.TerminateAsync();

        (await holder.WaitForExitAsync()).Should().Be(143, "after releasing, the library ends the process as SIGTERM would (128 + 15)");
        AssertReleased();
    }

    [Fact]
    public async Task Sigterm_WithSignalReleaseOff_LeavesTheLockToRecovery()
    {
        var holder = await StartHolderAsync("--no-signal-release");

        await holder.TerminateAsync();

        await holder.WaitForExitAsync();

        // Not released: the signal's default action killed the process, leaving its lock and record behind...
        CrashSupport.SemaphoreValue(_registry, $"router-{Router}").Should().Be(0);
        File.Exists(CrashSupport.RouterRecordPath(_registry, Router)).Should().BeTrue();

        // ...which the next waiter recovers, since the recorded owner is dead.
        var manager = _registry.CreateManager();
        manager.AcquireRouterLock(Router, "job-b", TimeSpan.FromSeconds(5)).Should().BeTrue();
        manager.ReleaseRouterLock(Router, "job-b").Should().BeTrue();
    }

    [Fact]
    public async Task NormalExit_WithoutDisposeOrRelease_ReleasesTheRouter()
    {
        var holder = await StartHolderAsync();

        holder.SendLine("exit");

        (await holder.WaitForExitAsync()).Should().Be(0);
        AssertReleased();
    }

    private async Task<WorkerProcess> StartHolderAsync(params string[] options)
    {
        var holder = _registry.StartWorker("hold", [Router, "job-a", .. options]);
        await holder.ExpectAsync("waiting");
        await holder.ExpectAsync("acquired");
        CrashSupport.SemaphoreValue(_registry, $"router-{Router}").Should().Be(0);
        File.Exists(CrashSupport.RouterRecordPath(_registry, Router)).Should().BeTrue();
        return holder;
    }

    /// <summary>Released, not recovered: free at once (no probe interval), no record left, and a zero-wait acquire succeeds.</summary>
    private void AssertReleased()
    {
        CrashSupport.SemaphoreValue(_registry, $"router-{Router}").Should().Be(1);
        File.Exists(CrashSupport.RouterRecordPath(_registry, Router)).Should().BeFalse();
        var manager = _registry.CreateManager();
        manager.AcquireRouterLock(Router, "job-b", TimeSpan.Zero).Should().BeTrue();
        manager.ReleaseRouterLock(Router, "job-b").Should().BeTrue();
    }
}
