using System.Text.Json.Nodes;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// How a waiter judges the owner record of a held lock. The semaphore is held by a worker that SIGKILLed itself
/// while holding; the test then rewrites its record by hand: the waiter must recover only an owner it can prove dead.
/// </summary>
public sealed class OwnerRecordJudgementTests : IDisposable
{
    private const string Router = "r1";

    /// <summary>A few probe intervals (0.2 s each): long enough that a recovery, were it to happen, would.</summary>
    private static readonly TimeSpan s_shortWait = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan s_longWait = TimeSpan.FromSeconds(20);

    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();
    private readonly RegistryManager _manager;

    public OwnerRecordJudgementTests()
    {
        _manager = _registry.CreateManager();
    }

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task RecordOfALivePidWithAnotherStartTime_IsJudgedDead_AndRecovered()
    {
        var record = await AbandonedRecordAsync();
        var (pidNamespace, startTime) = CrashSupport.SelfIdentity();
        record["pid"] = Environment.ProcessId; // Alive: this very test process...
        record["start_time"] = startTime + 1; // ...but not the process that took the lock: the pid was reused.
        record["pid_namespace"] = pidNamespace;
        WriteRecord(record.ToJsonString());

        _manager.ListHeldLocks().Should().ContainSingle(l => l.RouterName == Router).Which.OwnerState.Should().Be(LockOwnerState.Dead);
        _manager.AcquireRouterLock(Router, "job-b", s_longWait).Should().BeTrue();
        _manager.GetRouterLockOwner(Router)!.JobId.Should().Be("job-b");
        _manager.ReleaseRouterLock(Router, "job-b").Should().BeTrue();
    }

    [Fact]
    public async Task RecordOfALivePidWithItsStartTime_IsJudgedAlive_AndLeftAlone()
    {
        var record = await AbandonedRecordAsync();
        var (pidNamespace, startTime) = CrashSupport.SelfIdentity();
        record["pid"] = Environment.ProcessId;
        record["start_time"] = startTime;
        record["pid_namespace"] = pidNamespace;
        var text = record.ToJsonString();
        WriteRecord(text);

        _manager.AcquireRouterLock(Router, "job-b", s_shortWait).Should().BeFalse();
        CrashSupport.RouterRecord(_registry, Router).Should().Be(text);
        FluentActions.Invoking(() => _manager.ForceReleaseRouterLock(Router)).Should().Throw<InvalidOperationException>().WithMessage("*alive*");
        CrashSupport.SemaphoreValue(_registry, $"router-{Router}").Should().Be(0);
        CrashSupport.EraseRouterRecord(_registry, Router);
        _manager.ForceReleaseRouterLock(Router).Should().BeTrue();
    }

    [Theory]
    [InlineData("another pid namespace")]
    [InlineData("unparseable")]
    public async Task RecordThatCannotBeJudged_IsLeftAlone_WaiterTimesOut(string kind)
    {
        var record = await AbandonedRecordAsync();
        string text;
        if (kind == "unparseable")
        {
            text = "{\"lock\": \"half a rec";
        }
        else
        {
            // The pid is the dead worker's, but in another namespace it may name anyone: never judged here.
            record["pid_namespace"] = "pid:[1]";
            text = record.ToJsonString();
        }

        WriteRecord(text);

        _manager.AcquireRouterLock(Router, "job-b", s_shortWait).Should().BeFalse();
        CrashSupport.RouterRecord(_registry, Router).Should().Be(text, "a record that cannot be judged is never touched");
        CrashSupport.SemaphoreValue(_registry, $"router-{Router}").Should().Be(0, "the lock stays held");
        _manager.ListHeldLocks().Should().ContainSingle(l => l.RouterName == Router).Which.OwnerState
            .Should().Be(kind == "unparseable" ? LockOwnerState.NoRecord : LockOwnerState.Unknown);

        if (kind == "unparseable")
        {
            // An unusable record is no record: the operator may vouch for the holder being gone.
            _manager.ForceReleaseRouterLock(Router).Should().BeTrue();
        }
        else
        {
            FluentActions.Invoking(() => _manager.ForceReleaseRouterLock(Router))
                .Should().Throw<InvalidOperationException>().WithMessage("*another pid namespace*");
            CrashSupport.EraseRouterRecord(_registry, Router);
            _manager.ForceReleaseRouterLock(Router).Should().BeTrue();
        }

        _manager.AcquireRouterLock(Router, "job-c", TimeSpan.Zero).Should().BeTrue();
        _manager.ReleaseRouterLock(Router, "job-c").Should().BeTrue();
    }

    /// <summary>A worker takes the router and SIGKILLs itself: the lock stays held, its record names a dead pid.</summary>
    private async Task<JsonObject> AbandonedRecordAsync()
    {
        var worker = _registry.StartWorker("lock", Router, "job-a");
        await worker.ExpectAsync("acquired");
        worker.SendLine("abandon");
        await worker.WaitForExitAsync();

        CrashSupport.SemaphoreValue(_registry, $"router-{Router}").Should().Be(0);
        var record = JsonNode.Parse(CrashSupport.RouterRecord(_registry, Router)!)!.AsObject();
        ((int)record["pid"]!).Should().Be(worker.Pid);
        return record;
    }

    /// <summary>Rewrites the record in its slot, as a holder does.</summary>
    private void WriteRecord(string text) => CrashSupport.WriteRouterRecord(_registry, Router, text);
}
