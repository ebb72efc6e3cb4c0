using System.Globalization;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// A process that ends while it holds a router (SIGTERM, a normal exit without releasing) never posts it itself:
/// while it exits, its other threads may still use the router. Waiters take it over once the process is gone.
/// </summary>
public sealed class ExitTakeoverTests : IDisposable
{
    private const string Router = "r1";

    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();

    public void Dispose() => _registry.Dispose();

    /// <summary>
    /// The holder exits normally while a thread of its job keeps using the router through 300 ms of shutdown work.
    /// Earlier versions posted the router in their exit handler, at the start of that window, and the waiter got it
    /// while the holder's thread still ran.
    /// </summary>
    [Fact]
    public async Task NormalExit_WhileAThreadStillUsesTheRouter_WaiterGetsItOnlyAfterTheLastThread()
    {
        var holder = _registry.StartWorker("hold-busy", Router, "job-a");
        await holder.ExpectAsync("acquired");
        var waiter = _registry.StartWorker("acquire-loop", Router);
        await waiter.WriteLineAsync("next");
        await waiter.ExpectAsync("waiting");

        await holder.WriteLineAsync("exit");
        var acquired = long.Parse((await waiter.ExpectAsync("acquired"))[0], CultureInfo.InvariantCulture);
        var holderRun = await holder.CompleteAsync();

        var lastAlive = holderRun.Lines.Where(l => l.StartsWith("alive ", StringComparison.Ordinal))
            .Select(l => long.Parse(l["alive ".Length..], CultureInfo.InvariantCulture)).Max();
        acquired.Should().BeGreaterThan(lastAlive, "no thread of the holder may run once the router is handed on");
        holderRun.ExitCode.Should().Be(0);
        await waiter.WriteLineAsync("stop");
        (await waiter.WaitForExitAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Sigterm_WhileHolding_EndsTheProcessAndTheNextAcquirerTakesOverAtOnce()
    {
        var holder = await StartHolderAsync();

        await holder.TerminateAsync();

        (await holder.WaitForExitAsync()).Should().Be(143, "SIGTERM keeps its default action: the process ends (128 + 15)");
        CrashSupport.SemaphoreValue(_registry, $"router-{Router}").Should().Be(0, "an exiting process posts nothing");
        AssertTakenOverAtOnce();
    }

    [Fact]
    public async Task NormalExit_WithoutDisposeOrRelease_TheNextAcquirerTakesOverAtOnce()
    {
        var holder = await StartHolderAsync();

        holder.SendLine("exit");

        (await holder.WaitForExitAsync()).Should().Be(0);
        CrashSupport.SemaphoreValue(_registry, $"router-{Router}").Should().Be(0, "an exiting process posts nothing");
        AssertTakenOverAtOnce();
    }

    private async Task<WorkerProcess> StartHolderAsync()
    {
        var holder = _registry.StartWorker("hold", Router, "job-a");
        await holder.ExpectAsync("waiting");
        await holder.ExpectAsync("acquired");
        CrashSupport.SemaphoreValue(_registry, $"router-{Router}").Should().Be(0);
        CrashSupport.RouterRecord(_registry, Router).Should().NotBeNull();
        return holder;
    }

    /// <summary>The owner is gone, so even a zero-wait acquire recovers its lock and gets it; the record is replaced.</summary>
    private void AssertTakenOverAtOnce()
    {
        var manager = _registry.CreateManager();
        manager.AcquireRouterLock(Router, "job-b", TimeSpan.Zero).Should().BeTrue();
        manager.ReleaseRouterLock(Router, "job-b").Should().BeTrue();
        CrashSupport.RouterRecord(_registry, Router).Should().BeNull();
        CrashSupport.SemaphoreValue(_registry, $"router-{Router}").Should().Be(1);
    }
}
