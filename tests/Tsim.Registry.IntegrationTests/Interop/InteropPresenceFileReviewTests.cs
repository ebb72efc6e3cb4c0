namespace Tsim.Registry.IntegrationTests.Interop;

/// <summary>
/// Review of the presence-file lock files against the Python reference: is_router_locked must be true exactly while a
/// C# manager holds the router, whatever other managers (of this process or of a killed one) do meanwhile.
/// </summary>
[Collection(PythonInterop.Name)]
public sealed class InteropPresenceFileReviewTests : IDisposable
{
    private readonly InteropSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private async Task<string> PythonIsLocked(string router) => (await _sandbox.RunPythonAsync("is-locked", router)).Lines.Single();

    [Fact]
    public async Task ManagersComeAndGo_KilledHolderRecovered_PythonSeesEachRouterLockedExactlyWhileHeld()
    {
        var a = _sandbox.CreateManager();
        a.AcquireRouterLock("ra", "job-a").Should().BeTrue();

        var b = _sandbox.CreateManager();
        b.AcquireRouterLock("rb", "job-b").Should().BeTrue();
        (await PythonIsLocked("rb")).Should().Be("true");
        b.Dispose();
        (await PythonIsLocked("rb")).Should().Be("false");
        (await PythonIsLocked("ra")).Should().Be("true", "B's Dispose removed only B's presence file");

        // A C# holder in another process, SIGKILLed while holding: its lock file stays (Python: locked) until a C#
        // waiter recovers the router.
        var cli = _sandbox.StartCli("lock", "rk", "cs-job", "--hold", "-1");
        (await cli.ReadLineAsync()).Should().StartWith("ACQUIRED", cli.Stderr);
        (await PythonIsLocked("rk")).Should().Be("true");
        await cli.KillAsync();

        var c = _sandbox.CreateManager(); // Its presence file's creation sweeps the killed process's one.
        c.AcquireRouterLock("rk", "job-c", TimeSpan.FromSeconds(10)).Should().BeTrue();
        (await PythonIsLocked("rk")).Should().Be("true");
        Directory.GetFiles(_sandbox.LockDirectory, ".presence-*").Should().HaveCount(2, "A's and C's; the killed CLI's was swept");
        (await PythonIsLocked("ra")).Should().Be("true");

        c.ReleaseRouterLock("rk", "job-c").Should().BeTrue();
        (await PythonIsLocked("rk")).Should().Be("false");
        a.ReleaseRouterLock("ra", "job-a").Should().BeTrue();
        (await PythonIsLocked("ra")).Should().Be("false");
        (await _sandbox.RunPythonAsync("trylock", "ra", "py-job")).First.Should().StartWith("ACQUIRED");
    }
}
