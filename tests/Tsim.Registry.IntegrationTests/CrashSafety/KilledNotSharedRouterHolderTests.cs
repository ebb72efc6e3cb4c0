using System.Diagnostics;
using System.Globalization;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// <c>shared_with_python = false</c>: a router holder's owner record lives in the mapped slot, not in a lock file.
/// A holder SIGKILLed while it holds is recovered from that record by another process (worker or this one, of either
/// setting), within a few probe intervals (0.05 s here).
/// </summary>
public sealed class KilledNotSharedRouterHolderTests(ITestOutputHelper output) : IDisposable
{
    private const int Trials = 5;
    private const string Router = "r1";
    private const string ProbeInterval = "0.05";

    /// <summary>Recovery takes about one probe interval (plus process scheduling); this bound has room for a loaded machine.</summary>
    private static readonly TimeSpan s_recoveryBound = TimeSpan.FromSeconds(3);

    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();

    public void Dispose() => _registry.Dispose();

    private WorkerProcess StartHolder(string job, bool notShared = true) =>
        notShared
            ? _registry.StartWorker("hold", Router, job, "--no-shared-with-python", "--probe-interval", ProbeInterval)
            : _registry.StartWorker("hold", Router, job, "--probe-interval", ProbeInterval);

    private RegistryManager Manager(bool sharedWithPython, double probeSeconds = 0.05)
    {
        var manager = new RegistryManager(new RegistryManagerOptions
        {
            RegistryDirectory = _registry.Directory,
            SemaphorePrefix = _registry.Prefix,
            SharedWithPython = sharedWithPython,
            LockProbeIntervalSeconds = probeSeconds,
        });
        return manager;
    }

    private static long Timestamp(string token) => long.Parse(token, CultureInfo.InvariantCulture);

    [Fact]
    public async Task HolderKilled_AWaitingWorkerAcquiresSoonAfterTheKill_EveryTrial()
    {
        using var observer = Manager(sharedWithPython: true);
        var holder = StartHolder("job-0");
        await holder.ExpectAsync("waiting");
        await holder.ExpectAsync("acquired");
        var latencies = new List<double>();

        for (var trial = 1; trial <= Trials; trial++)
        {
            var waiter = StartHolder($"job-{trial}");
            await waiter.ExpectAsync("waiting");

            // The record is where shared_with_python=false puts it, and a manager of the other setting finds it.
            File.Exists(_registry.LockFilePath($"router-{Router}")).Should().BeFalse("no lock file when not shared with Python");
            _registry.SlotRecord($"router-{Router}").Should().Contain($"\"pid\":{holder.Pid}");
            observer.GetRouterLockOwner(Router)!.Pid.Should().Be(holder.Pid);

            var killedAt = Stopwatch.GetTimestamp();
            await holder.KillAsync();
            var acquiredAt = Timestamp((await waiter.ExpectAsync("acquired", s_recoveryBound))[0]);

            acquiredAt.Should().BeGreaterThan(killedAt, "nobody may acquire while the holder lives");
            latencies.Add(CrashSupport.Milliseconds(killedAt, acquiredAt));
            holder = waiter;
        }

        output.WriteLine($"{Trials} kills of a slot-recorded router holder; kill to acquisition by another process: {CrashSupport.Summary(latencies)}");
        latencies.Should().OnlyContain(ms => ms < s_recoveryBound.TotalMilliseconds);
        observer.GetRouterLockOwner(Router)!.Pid.Should().Be(holder.Pid);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public async Task HolderKilled_AManagerInThisProcessRecoversIt(bool holderNotShared, bool recovererShared)
    {
        using var recoverer = Manager(recovererShared);
        var holder = StartHolder("doomed", holderNotShared);
        await holder.ExpectAsync("waiting");
        await holder.ExpectAsync("acquired");
        recoverer.ListHeldLocks().Should().ContainSingle(l => l.RouterName == Router && l.OwnerState == LockOwnerState.Alive && l.Pid == holder.Pid);

        await holder.KillAsync();
        recoverer.ListHeldLocks().Should().ContainSingle(l => l.RouterName == Router && l.OwnerState == LockOwnerState.Dead && l.Pid == holder.Pid);
        var clock = Stopwatch.StartNew();
        var acquired = recoverer.AcquireRouterLock(Router, "rescuer", TimeSpan.FromSeconds(10));

        acquired.Should().BeTrue();
        clock.Elapsed.Should().BeLessThan(s_recoveryBound);
        recoverer.GetRouterLockOwner(Router)!.JobId.Should().Be("rescuer");
        File.Exists(_registry.LockFilePath($"router-{Router}")).Should().Be(recovererShared, "the dead record is gone; only the new holder's own can be there");
        (_registry.SlotRecord($"router-{Router}") is not null).Should().Be(!recovererShared);
        recoverer.ReleaseRouterLock(Router, "rescuer").Should().BeTrue();
        CrashSupport.SemaphoreValue(_registry, $"router-{Router}").Should().Be(1, "the dead hold was posted once");
    }

    [Fact]
    public async Task HolderKilled_AWaitForRouterInAnotherProcessReturnsFree()
    {
        var holder = StartHolder("doomed");
        await holder.ExpectAsync("waiting");
        await holder.ExpectAsync("acquired");
        var waiter = _registry.StartWorker("wait", Router, "--timeout", "30", "--no-shared-with-python");
        await waiter.ExpectAsync("waiting");

        await holder.KillAsync();

        // A pure waiter recovers a dead holder at its fallback re-check (once a second).
        var free = await waiter.ExpectAsync("free", TimeSpan.FromSeconds(10));
        output.WriteLine($"WaitForRouter returned {free[0]} ms after it started");
        (await waiter.WaitForExitAsync()).Should().Be(0);
        CrashSupport.SemaphoreValue(_registry, $"router-{Router}").Should().Be(1);
        _registry.SlotRecord($"router-{Router}").Should().BeNull();
    }
}
