using Tsim.Registry.IntegrationTests.Cli;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Testing;

/// <summary>
/// <see cref="TemporaryRegistry"/> across processes: a child joining through its configuration file, and what a test
/// process leaves when it disposes its registry or is killed (SIGKILL) with everything held, and how
/// <see cref="TemporaryRegistry.RemoveLeftovers"/> and <c>tsim-registry remove-temporary</c> clean that up.
/// </summary>
public sealed class TemporaryRegistryProcessTests : IDisposable
{
    // Leftovers are looked for in a parent of this test's own: RemoveLeftovers never reaches another test's registries.
    private readonly TemporaryRegistry _scratch = new();
    private readonly List<WorkerProcess> _workers = [];

    private string Parent => Path.Combine(_scratch.Directory, "parent");

    public void Dispose()
    {
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

        TemporaryRegistry.RemoveLeftovers(Parent); // What a failed test's killed worker left.
        _scratch.Dispose();
    }

    [Fact]
    public async Task ChildWithTheConfigurationFile_WaitsForTheRouterThisProcessHolds()
    {
        using var registry = new TemporaryRegistry();
        var scope = registry.Manager.RouterLock("r1", "parent-job");
        var config = registry.WriteConfigurationFile(o => o.LockProbeIntervalSeconds = 0.05);

        var child = Start("wait", "r1", "--timeout", "60", "--config", config);
        await child.ExpectAsync("waiting");
        child.TryReadPrintedLine().Should().BeNull("the child waits: it sees this process's hold");
        scope.Dispose();

        await child.ExpectAsync("free");
        (await child.WaitForExitAsync()).Should().Be(0);
    }

    [Fact]
    public async Task TestProcessDisposingItsRegistry_LeavesNothing()
    {
        var child = Start("temporary-registry", Parent);
        var ready = await child.ExpectAsync("ready");
        var (directory, prefix) = (ready[0], ready[1]);
        Directory.Exists(directory).Should().BeTrue();
        Semaphores(prefix).Should().Contain(f => f.EndsWith("-router-r1", StringComparison.Ordinal)).And.Contain(f => f.EndsWith("-lock-directory", StringComparison.Ordinal));

        child.SendLine("dispose");
        await child.ExpectAsync("disposed");

        Directory.Exists(directory).Should().BeFalse();
        Semaphores(prefix).Should().BeEmpty();
    }

    [Fact]
    public async Task TestProcessKilled_RemoveLeftovers_RemovesItsRegistryOnlyOnceItIsGone()
    {
        var child = Start("temporary-registry", Parent);
        var ready = await child.ExpectAsync("ready");
        var (directory, prefix) = (ready[0], ready[1]);

        TemporaryRegistry.RemoveLeftovers(Parent).Should().BeEmpty("the test process still runs");
        Directory.Exists(directory).Should().BeTrue();

        await child.KillAsync();
        Directory.Exists(directory).Should().BeTrue("SIGKILL runs no cleanup");
        var left = Semaphores(prefix);
        left.Should().Contain(f => f.EndsWith("-router-r1", StringComparison.Ordinal), "the router it held, with its semaphore at 0");

        var removed = TemporaryRegistry.RemoveLeftovers(Parent);

        removed.Should().BeEquivalentTo([directory, .. left]);
        Directory.Exists(directory).Should().BeFalse();
        Semaphores(prefix).Should().BeEmpty();
        TemporaryRegistry.RemoveLeftovers(Parent).Should().BeEmpty("nothing is left for a second run");
    }

    [Fact]
    public async Task TestProcessKilled_RemoveTemporaryCommand_PrintsWhatItRemoves()
    {
        var running = Start("temporary-registry", Parent);
        var killed = Start("temporary-registry", Parent);
        var runningReady = await running.ExpectAsync("ready");
        var killedReady = await killed.ExpectAsync("ready");
        await killed.KillAsync();
        var left = Semaphores(killedReady[1]);

        var result = await CliProcess.Start(["remove-temporary", "--parent", Parent]).CompleteAsync();

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().BeEquivalentTo([$"REMOVED {killedReady[0]}", .. left.Select(f => $"REMOVED {f}")]);
        Directory.Exists(killedReady[0]).Should().BeFalse();
        Directory.Exists(runningReady[0]).Should().BeTrue("a running test process's registry is never touched");
        Semaphores(runningReady[1]).Should().NotBeEmpty();

        var again = await CliProcess.Start(["remove-temporary", "--parent", Parent]).CompleteAsync();
        again.Lines.Should().Equal("OK");
    }

    private WorkerProcess Start(params string[] arguments)
    {
        var worker = WorkerProcess.Start(arguments);
        _workers.Add(worker);
        return worker;
    }

    private static string[] Semaphores(string prefix) => Directory.GetFiles("/dev/shm", $"sem.{prefix}-*");
}
