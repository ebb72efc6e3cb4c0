using Tsim.Registry.IntegrationTests.Interop;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// A dead holder's owner record outlives its semaphore: an operator removes <c>/dev/shm/sem.tsim-*</c> after a C#
/// holder was SIGKILLed, and a Python process creates the semaphore anew and holds it. The record names the semaphore
/// instance it was written for, so a C# waiter that finds it discards it without posting the new semaphore: posting
/// would let the waiter in beside the Python holder (and leave the value at 2 afterwards).
/// </summary>
[Collection(PythonInterop.Name)]
public sealed class RecreatedSemaphoreTests : IDisposable
{
    private const string Router = "rs";

    private readonly InteropSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task DeadHoldersRecord_SemaphoreRemovedAndRecreatedByAPythonHolder_CSharpWaiterDoesNotPostIt()
    {
        var holder = _sandbox.StartWorker("hold", Router, "cs-dead");
        await holder.ExpectAsync("waiting");
        await holder.ExpectAsync("acquired");
        await holder.KillAsync();
        File.Exists(Path.Combine(_sandbox.LockDirectory, $"tsim-router-{Router}")).Should().BeTrue("a SIGKILLed holder leaves its record");

        File.Delete($"/dev/shm/sem.tsim-router-{Router}"); // The operator's clean-up.
        var python = _sandbox.StartPython("lock", Router, "py-job", "--hold", "-1");
        await python.ExpectAsync("ACQUIRED");

        // Several probe intervals (0.2 s): the old code recovered the "dead" hold at the first probe and acquired.
        var waiter = await _sandbox.RunCliAsync("lock", Router, "cs-waiter", "--timeout", "1.5");

        waiter.Lines.Should().Equal(["TIMEOUT"], $"the Python process holds the recreated semaphore; {waiter}");
        (await _sandbox.RunPythonAsync("sem-value", $"tsim-router-{Router}")).Lines.Should().Equal("0");
        File.Exists(Path.Combine(_sandbox.LockDirectory, $"tsim-router-{Router}")).Should().BeFalse("the stale record is discarded");

        await python.WriteLineAsync("release");
        await python.ExpectAsync("RELEASED");
        (await _sandbox.RunPythonAsync("sem-value", $"tsim-router-{Router}")).Lines.Should().Equal(["1"], "one post for one hold: nothing was posted twice");
        (await _sandbox.RunCliAsync("trylock", Router, "cs-after")).Lines[0].Should().StartWith("ACQUIRED");
    }
}
