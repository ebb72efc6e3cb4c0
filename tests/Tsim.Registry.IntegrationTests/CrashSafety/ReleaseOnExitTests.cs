using System.Diagnostics;
using System.Globalization;
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

        using (var kill = Process.Start("kill", ["-TERM", holder.Pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            kill.ExitCode.Should().Be(0);
        }

        (await holder.WaitForExitAsync()).Should().NotBe(0, "SIGTERM ends the process (the library does not cancel it)");
        AssertReleased();
    }

    [Fact]
    public async Task NormalExit_WithoutDisposeOrRelease_ReleasesTheRouter()
    {
        var holder = await StartHolderAsync();

        holder.SendLine("exit");

        (await holder.WaitForExitAsync()).Should().Be(0);
        AssertReleased();
    }

    private async Task<WorkerProcess> StartHolderAsync()
    {
        var holder = _registry.StartWorker("hold", Router, "job-a");
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
