using Tsim.Registry.IntegrationTests.Cli;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Tsim.Registry.Locking;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// The longest prefix and router name validation accepts, end to end with real processes: lock, SIGKILL of the holder,
/// recovery by another process, and the operator's <c>unlock --force</c>. Every file named after the lock must fit
/// NAME_MAX; the recovery guard <c>.PREFIX-router-ROUTER.recovery</c> is the longest and fills it exactly. Before the
/// limits were derived from it (router names of 211 characters), the first lock already failed on the slot's name,
/// and a killed holder was never recovered (the guard could not be opened).
/// </summary>
public sealed class LongestNamesTests : IDisposable
{
    /// <summary>The temporary registry's 22 characters + 10: the longest prefix.</summary>
    private const string PrefixSuffix = "longestxxx";

    private static readonly string s_router = "r" + new string('x', NameRules.MaxNameLength - 1);

    private readonly RegistryFixture _registry = new(PrefixSuffix);

    public void Dispose() => _registry.Dispose();

    private LockName RouterLock => _registry.Lock("router-" + s_router);

    [Fact]
    public void Names_AreTheLongestValidationAccepts()
    {
        _registry.Prefix.Length.Should().Be(RegistryManagerOptions.MaxSemaphorePrefixLength);
        s_router.Length.Should().Be(NameRules.MaxNameLength);
        RouterLock.RecoveryGuardFileName.Length.Should().Be(255, "the guard fills NAME_MAX: nothing of the limit is wasted");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HolderKilled_AnotherProcessRecoversTheLock(bool sharedWithPython)
    {
        string[] setting = [.. RegistryFixture.SharedWithPythonOptions(sharedWithPython), "--probe-interval", "0.05"];
        var holder = _registry.StartWorker("hold", [s_router, "doomed", .. setting]);
        await holder.ExpectAsync("waiting");
        await holder.ExpectAsync("acquired");
        var waiter = _registry.StartWorker("hold", [s_router, "rescuer", .. setting]);
        await waiter.ExpectAsync("waiting");
        _registry.RouterOwnerRecord(s_router).Should().Contain($"\"pid\":{holder.Pid}");

        await holder.KillAsync();

        await waiter.ExpectAsync("acquired", TimeSpan.FromSeconds(20));
        File.Exists(Path.Combine(_registry.LockDirectory, RouterLock.RecoveryGuardFileName)).Should().BeTrue("the recovery took its guard");
        _registry.RouterOwnerRecord(s_router).Should().Contain($"\"pid\":{waiter.Pid}");
        waiter.CloseInput();
        await waiter.ExpectAsync("released");
        CrashSupport.SemaphoreValue(_registry, "router-" + s_router).Should().Be(1, "the dead hold was posted once");
    }

    [Fact]
    public async Task DeadRecordedOwner_UnlockForceRecoversIt()
    {
        var dead = await AbandonAsync();

        var locks = await RunAsync("locks");
        locks.Lines.Should().ContainMatch($"{RouterLock.Value} *{s_router} *job-gone *{dead} *dead", locks.ToString());
        var result = await RunAsync("unlock", RouterLock.Value, "--force");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().Equal("UNLOCKED");
        CrashSupport.SemaphoreValue(_registry, "router-" + s_router).Should().Be(1);
    }

    [Fact]
    public async Task HeldWithoutRecord_UnlockForceFreesIt()
    {
        await AbandonAsync();
        CrashSupport.EraseRouterRecord(_registry, s_router); // As if killed between its wait and its record.

        // Before: "being recovered by another process right now", since the guard's name was too long to open.
        var result = await RunAsync("unlock", s_router, "--force", "--no-record-ok");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().Equal("UNLOCKED");
        CrashSupport.SemaphoreValue(_registry, "router-" + s_router).Should().Be(1);
    }

    private Task<CliResult> RunAsync(params string[] args) =>
        CliSandbox.RunRawAsync(["--registry-dir", _registry.Directory, "--prefix", _registry.Prefix, .. args]);

    /// <summary>A worker takes the router and SIGKILLs itself, leaving its owner record; returns its (dead) pid.</summary>
    private async Task<int> AbandonAsync()
    {
        var worker = _registry.StartWorker("lock", s_router, "job-gone");
        await worker.ExpectAsync("acquired");
        worker.SendLine("abandon");
        await worker.WaitForExitAsync();
        return worker.Pid;
    }
}
