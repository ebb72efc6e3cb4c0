using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Diagnostics;

/// <summary>
/// The <c>Tsim.Registry</c> meter, activity source and log events, observed through <see cref="System.Diagnostics.Metrics.MeterListener"/>,
/// <see cref="ActivityListener"/> and a capturing logger. Serial: the meter is process-wide.
/// </summary>
[Collection(SerialTests.Name)]
public sealed class RegistryTelemetryTests : IDisposable
{
    private const string Acquisitions = "tsim.registry.lock.acquisitions";
    private const string Recoveries = "tsim.registry.lock.recoveries";
    private const string WaitTime = "tsim.registry.lock.wait_time";
    private const string HoldTime = "tsim.registry.lock.hold_time";
    private const string OperationDuration = "tsim.registry.operation.duration";

    private readonly RegistryTestContext _context = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly TelemetryCapture _telemetry = new();
    private readonly RegistryManager _manager;
    private readonly RegistryManager _holder;

    public RegistryTelemetryTests()
    {
        _manager = _context.Track(new RegistryManager(
            _context.CreateOptions(o => o.LockProbeIntervalSeconds = 0.01), _logs.CreateManagerLogger()));
        _holder = _context.CreateManager();
    }

    public void Dispose()
    {
        _telemetry.Dispose();
        _context.Dispose();
    }

    // ---- Metrics ----

    [Fact]
    public void LockAcquisitions_AcquiredAndTimedOut_CountedWithKindAndOutcome()
    {
        _holder.AcquireRouterLock("r2", "holder");

        _manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        _manager.AcquireRouterLock("r2", "job-1", TimeSpan.Zero).Should().BeFalse();
        _manager.CheckAndRegisterHost("web-1", "10.0.0.10", "r1", "02:00:00:00:00:0a").Should().BeTrue();

        var counts = _telemetry.Of(Acquisitions);
        counts.Should().OnlyContain(m => m.Value == 1);
        counts.Should().Contain(m => m.Tag("tsim.registry.lock.kind") == "router" && m.Tag("tsim.registry.lock.outcome") == "acquired");
        counts.Should().Contain(m => m.Tag("tsim.registry.lock.kind") == "router" && m.Tag("tsim.registry.lock.outcome") == "timeout");
        counts.Should().Contain(m => m.Tag("tsim.registry.lock.kind") == "registry" && m.Tag("tsim.registry.lock.outcome") == "acquired");
    }

    [Fact]
    public async Task LockAcquisitions_Async_CountedLikeSync()
    {
        _holder.AcquireRouterLock("r2", "holder");

        (await _manager.AcquireRouterLockAsync("r1", "job-1")).Should().BeTrue();
        (await _manager.AcquireRouterLockAsync("r2", "job-1", TimeSpan.Zero)).Should().BeFalse();

        var counts = _telemetry.Of(Acquisitions);
        counts.Should().Contain(m => m.Tag("tsim.registry.lock.kind") == "router" && m.Tag("tsim.registry.lock.outcome") == "acquired");
        counts.Should().Contain(m => m.Tag("tsim.registry.lock.kind") == "router" && m.Tag("tsim.registry.lock.outcome") == "timeout");
    }

    [Fact]
    public void WaitAndHoldTimes_AcquireAndRelease_RecordedInSeconds()
    {
        _holder.AcquireRouterLock("r2", "holder");
        _manager.AcquireRouterLock("r2", "job-1", TimeSpan.FromMilliseconds(50)).Should().BeFalse();
        _manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();

        _manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();

        var waits = _telemetry.Of(WaitTime);
        waits.Should().Contain(m => m.Tag("tsim.registry.lock.outcome") == "timeout" && m.Value >= 0.04 && m.Value < 60,
            "a 50 ms timeout is recorded as about 0.05 s, not as milliseconds");
        waits.Should().Contain(m => m.Tag("tsim.registry.lock.outcome") == "acquired" && m.Value >= 0);
        _telemetry.Of(HoldTime).Should().Contain(m => m.Tag("tsim.registry.lock.kind") == "router" && m.Value >= 0 && m.Value < 60);
    }

    [Fact]
    public void Recoveries_DeadOwnerRecordOverHeldSemaphore_CountedAndLogged()
    {
        HoldLikeADeadProcess("r1");

        _manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(10)).Should().BeTrue();

        _telemetry.Of(Recoveries).Should().ContainSingle(m => m.Tag("tsim.registry.lock.kind") == "router")
            .Which.Value.Should().Be(1);
        var recovered = _logs.Entries.Should().ContainSingle(e => e.EventId.Id == 4000).Subject;
        recovered.EventId.Name.Should().Be("LockRecovered");
        recovered.Level.Should().Be(LogLevel.Warning);
        recovered.Message.Should().Contain(_context.RouterLockName("r1")).And.Contain("dead-job");
    }

    [Fact]
    public void OperationDuration_SuccessAndFailure_RecordedPerOperationWithOutcome()
    {
        _manager.IsRouterLocked("r1").Should().BeFalse();
        _manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        var recursion = () => _manager.AcquireRouterLock("r1", "job-1");
        recursion.Should().Throw<LockRecursionException>();

        var durations = _telemetry.Of(OperationDuration);
        durations.Should().Contain(m => m.Tag("tsim.registry.operation") == "is_router_locked" && m.Tag("tsim.registry.outcome") == "ok");
        durations.Should().Contain(m => m.Tag("tsim.registry.operation") == "acquire_router_lock" && m.Tag("tsim.registry.outcome") == "ok");
        durations.Should().Contain(m => m.Tag("tsim.registry.operation") == "acquire_router_lock" && m.Tag("tsim.registry.outcome") == "error");
        durations.Should().OnlyContain(m => m.Value >= 0 && m.Value < 60, "seconds");
    }

    [Fact]
    public void Gauges_AfterHostAndLeaseOperations_ReportCountsForThisRegistry()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.10", "r1", "02:00:00:00:00:0a").Should().BeTrue();
        _manager.CheckAndRegisterHost("web-2", "10.0.0.11", "r1", "02:00:00:00:00:0b").Should().BeTrue();
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "r1").Should().Be(1);

        _telemetry.CollectGauges();

        Gauge("tsim.registry.hosts").Should().Be(2);
        Gauge("tsim.registry.host_leases").Should().Be(1);

        _manager.ReleaseSourceHostLease("run-1", "web-1");
        _manager.UnregisterHost("web-2").Should().BeTrue();
        _telemetry.CollectGauges();

        Gauge("tsim.registry.hosts").Should().Be(1);
        Gauge("tsim.registry.host_leases").Should().Be(0);
    }

    // ---- Activities ----

    [Fact]
    public void Activities_SyncOperations_OnePerOperationWithTagAndOkStatus()
    {
        _manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        _manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        _manager.CheckAndRegisterHost("web-1", "10.0.0.10", "r1", "02:00:00:00:00:0a").Should().BeTrue();

        var activities = _telemetry.Activities;
        activities.Select(a => a.OperationName).Should().Equal(
            "Tsim.Registry.acquire_router_lock", "Tsim.Registry.release_router_lock", "Tsim.Registry.register_host");
        activities.Should().OnlyContain(a => a.Source.Name == "Tsim.Registry" && a.Status == ActivityStatusCode.Ok);
        activities.Should().OnlyContain(a => a.ParentSpanId == _telemetry.Root.SpanId, "started under the caller's activity");
        activities.Select(a => a.GetTagItem("tsim.registry.operation")).Should().Equal("acquire_router_lock", "release_router_lock", "register_host");
    }

    [Fact]
    public async Task Activities_AsyncOperations_OnePerOperationAcrossAwaits()
    {
        Untraced(() => _holder.AcquireRouterLock("r1", "holder"));
        var waiter = _manager.AcquireRouterLockAsync("r1", "job-1", Timeout.InfiniteTimeSpan).AsTask();
        Untraced(() => _holder.ReleaseRouterLock("r1", "holder"));
        (await waiter.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();
        (await _manager.WaitForRouterAsync("r2")).Should().BeTrue();

        var activities = _telemetry.Activities;
        activities.Select(a => a.OperationName).Should().Equal("Tsim.Registry.acquire_router_lock_async", "Tsim.Registry.wait_for_router_async");
        activities.Should().OnlyContain(a => a.Status == ActivityStatusCode.Ok && a.ParentSpanId == _telemetry.Root.SpanId);
    }

    [Fact]
    public void Activities_OperationThrows_HasErrorStatus()
    {
        _manager.AcquireRouterLock("r2", "job-1").Should().BeTrue();

        var act = () => _manager.AcquireRouterLock("r1", "job-1");

        act.Should().Throw<InvalidOperationException>();
        var failed = _telemetry.Activities.Should().ContainSingle(a => a.Status == ActivityStatusCode.Error).Subject;
        failed.OperationName.Should().Be("Tsim.Registry.acquire_router_lock");
        failed.GetTagItem("tsim.registry.operation").Should().Be("acquire_router_lock");
    }

    [Fact]
    public void Activities_RouterLockTimesOut_ActivityOfTheThrowingCallHasErrorStatus()
    {
        Untraced(() => _holder.AcquireRouterLock("r1", "holder"));

        var act = () => _manager.RouterLock("r1", "job-1", TimeSpan.Zero);

        act.Should().Throw<RegistryLockTimeoutException>();
        _telemetry.Activities.Should().ContainSingle()
            .Which.Status.Should().Be(ActivityStatusCode.Error, "RouterLock threw, so its operation failed");
    }

    [Fact]
    public async Task Activities_RouterLockAsyncTimesOut_ActivityOfTheThrowingCallHasErrorStatus()
    {
        Untraced(() => _holder.AcquireRouterLock("r1", "holder"));

        var act = async () => await _manager.AllRouterLocksAsync(["r1"], "job-1", TimeSpan.Zero);

        await act.Should().ThrowAsync<RegistryLockTimeoutException>();
        _telemetry.Activities.Should().ContainSingle()
            .Which.Status.Should().Be(ActivityStatusCode.Error, "AllRouterLocksAsync threw, so its operation failed");
    }

    // ---- Logs ----

    [Fact]
    public void Logs_LockTimedOut_HasStableEventIdAndNamesLockJobAndTimeout()
    {
        _holder.AcquireRouterLock("r1", "holder");

        _manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromMilliseconds(20)).Should().BeFalse();

        var entry = _logs.Entries.Should().ContainSingle(e => e.EventId.Id == 1001).Subject;
        entry.EventId.Name.Should().Be("LockTimedOut");
        entry.Level.Should().Be(LogLevel.Warning);
        entry.Category.Should().Be(typeof(RegistryManager).FullName);
        entry.Message.Should().Be($"Timed out after 20 ms acquiring lock {_context.RouterLockName("r1")} for job job-1");
    }

    [Fact]
    public void Logs_LifecycleLockAndHostEvents_CarryDocumentedIds()
    {
        _manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        _manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        _manager.CheckAndRegisterHost("web-1", "10.0.0.10", "r1", "02:00:00:00:00:0a").Should().BeTrue();
        _manager.AcquireRouterLock("r2", "job-2").Should().BeTrue();
        _manager.Dispose();

        var events = _logs.Entries.Select(e => (e.EventId.Id, e.EventId.Name)).ToArray();
        events.Should().Contain([
            (5000, "ManagerCreated"),
            (1000, "LockAcquired"),
            (1002, "LockReleased"),
            (5001, "HostRegistered"),
            (1006, "ReleasedOnDispose"),
            (5006, "ManagerDisposed"),
        ]);
    }

    /// <summary>Runs the holder's side outside the test's trace, so that only the manager under test is traced.</summary>
    private static void Untraced(Action action)
    {
        var current = Activity.Current;
        Activity.Current = null;
        try
        {
            action();
        }
        finally
        {
            Activity.Current = current;
        }
    }

    private double Gauge(string instrument) =>
        _telemetry.Of(instrument).Last(m => m.Tag("tsim.registry.dir") == _context.RegistryDirectory).Value;

    /// <summary>
    /// Holds a router's semaphore through a raw handle and leaves an owner record naming a process that has exited:
    /// what a SIGKILLed holder leaves behind.
    /// </summary>
    private void HoldLikeADeadProcess(string routerName)
    {
        _context.OpenSemaphore(_context.RouterLockName(routerName)).TryWait().Should().BeTrue();
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        exited.WaitForExit();

        var name = LockName.Router(_context.Prefix, routerName);
        new LockFiles(_context.LockDirectory, NullLogger.Instance).WriteLegacyOwnerRecord(name, new OwnerRecord
        {
            Lock = name.Value,
            JobId = "dead-job",
            Pid = exited.Id,
            StartTime = 1,
            PidNamespace = ProcessIdentity.Current.PidNamespace,
            AcquiredAt = DateTimeOffset.UtcNow,
        });
    }
}
