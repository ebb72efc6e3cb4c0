using System.Diagnostics;
using System.Globalization;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// A router holder SIGKILLed while it holds, for one setting of <see cref="RegistryManagerOptions.SharedWithPython"/>
/// per concrete subclass (the holder's, and the waiters' unless a test says otherwise): another process, or a manager
/// of either setting in this one, recovers the lock from the dead holder's owner record (Python's lock file when
/// shared with Python, the router's slot when not) within the probe interval plus its own wait, trial after trial.
/// </summary>
public abstract class KilledRouterHolderTestCases : RouterRecordModeTestCases
{
    private const int Trials = 50;
    private const int Waiters = 3;
    private const int PromptTrials = 5;
    private const string Router = "r1";
    private const string ProbeInterval = "0.05";

    /// <summary>Generous: recovery takes one probe interval (0.2 s); this only ends a hung test.</summary>
    private static readonly TimeSpan s_acquireBound = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Recovery with a 0.05 s probe interval takes about one interval (plus process scheduling); this bound has room
    /// for a loaded machine.
    /// </summary>
    private static readonly TimeSpan s_recoveryBound = TimeSpan.FromSeconds(3);

    private readonly ITestOutputHelper _output;

    /// <summary>Waiters that printed <c>waiting</c>, i.e. are in (or about to enter) their wait.</summary>
    private readonly HashSet<WorkerProcess> _ready = [];

    protected KilledRouterHolderTestCases(ITestOutputHelper output)
        : base(CrashSupport.CreateRegistry()) => _output = output;

    /// <summary>A <c>hold</c> worker of this setting that probes every 0.05 s.</summary>
    private WorkerProcess StartPromptHolder(string job) =>
        Registry.StartWorker("hold", [Router, job, .. Setting, "--probe-interval", ProbeInterval]);

    private RegistryManager CreateManager(bool sharedWithPython, double probeSeconds = 0.05) =>
        Registry.CreateManager(o =>
        {
            o.SharedWithPython = sharedWithPython;
            o.LockProbeIntervalSeconds = probeSeconds;
        });

    private static long Timestamp(string token) => long.Parse(token, CultureInfo.InvariantCulture);

    [Fact]
    public async Task HolderKilled_AWaitingProcessAcquiresAfterTheKill_EveryTrial()
    {
        var lines = new MergedLines();
        var waiting = new HashSet<WorkerProcess>();
        var started = 0;
        WorkerProcess StartHolder()
        {
            var worker = Registry.StartWorker("hold", [Router, $"job-{started++}", .. Setting]);
            lines.Add(worker);
            waiting.Add(worker);
            return worker;
        }

        // The first holder finds the router free; the waiters queue up behind it.
        for (var i = 0; i <= Waiters; i++)
        {
            StartHolder();
        }

        var holder = (await NextAcquirerAsync(lines, waiting)).Worker;
        var latencies = new List<double>();
        for (var trial = 0; trial < Trials; trial++)
        {
            // Let at least two waiters be in their wait before the kill (the replacement of the last acquirer may
            // still be starting); then kill the holder while it holds.
            await EnsureWaitingAsync(lines, waiting, atLeast: 2);
            var killedAt = Stopwatch.GetTimestamp();
            await holder.KillAsync();

            var next = await NextAcquirerAsync(lines, waiting);
            next.AcquiredAt.Should().BeGreaterThan(killedAt, "nobody may acquire while the holder lives");
            latencies.Add(CrashSupport.Milliseconds(killedAt, next.AcquiredAt));
            holder = next.Worker;
            StartHolder();
        }

        _output.WriteLine($"{Trials} kills of a router holder; kill to acquisition by another process: {CrashSupport.Summary(latencies)}");
        CreateManager(SharedWithPython, probeSeconds: 0.2).GetRouterLockOwner(Router)!.Pid.Should().Be(holder.Pid);
    }

    [Fact]
    public async Task HolderKilled_AWaitingWorkerAcquiresSoonAfterTheKill_EveryTrial()
    {
        var observer = CreateManager(sharedWithPython: !SharedWithPython);
        var holder = StartPromptHolder("job-0");
        await holder.ExpectAsync("waiting");
        await holder.ExpectAsync("acquired");
        var latencies = new List<double>();

        for (var trial = 1; trial <= PromptTrials; trial++)
        {
            var waiter = StartPromptHolder($"job-{trial}");
            await waiter.ExpectAsync("waiting");

            // The record is where this setting puts it (and nowhere else), and a manager of the other setting finds it.
            Registry.RouterOwnerRecord(Router).Should().Contain($"\"pid\":{holder.Pid}");
            File.Exists(Registry.LockFilePath($"router-{Router}")).Should().Be(SharedWithPython, "a lock file exactly when shared with Python");
            observer.GetRouterLockOwner(Router)!.Pid.Should().Be(holder.Pid);

            var killedAt = Stopwatch.GetTimestamp();
            await holder.KillAsync();
            var acquiredAt = Timestamp((await waiter.ExpectAsync("acquired", s_recoveryBound))[0]);

            acquiredAt.Should().BeGreaterThan(killedAt, "nobody may acquire while the holder lives");
            latencies.Add(CrashSupport.Milliseconds(killedAt, acquiredAt));
            holder = waiter;
        }

        _output.WriteLine($"{PromptTrials} kills of a router holder probing every {ProbeInterval} s; kill to acquisition by another process: {CrashSupport.Summary(latencies)}");
        latencies.Should().OnlyContain(ms => ms < s_recoveryBound.TotalMilliseconds);
        observer.GetRouterLockOwner(Router)!.Pid.Should().Be(holder.Pid);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HolderKilled_AManagerInThisProcessRecoversIt(bool recovererOfTheOtherSetting)
    {
        var recovererShared = recovererOfTheOtherSetting ? !SharedWithPython : SharedWithPython;
        var recoverer = CreateManager(recovererShared);
        var holder = StartPromptHolder("doomed");
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
        File.Exists(Registry.LockFilePath($"router-{Router}")).Should().Be(recovererShared, "the dead record is gone; only the new holder's own can be there");
        Registry.SlotRecord($"router-{Router}").Should().Contain("\"job_id\":\"rescuer\"");
        recoverer.ReleaseRouterLock(Router, "rescuer").Should().BeTrue();
        CrashSupport.SemaphoreValue(Registry, $"router-{Router}").Should().Be(1, "the dead hold was posted once");
    }

    [Fact]
    public async Task HolderKilled_AWaitForRouterInAnotherProcessReturnsFree()
    {
        var holder = StartPromptHolder("doomed");
        await holder.ExpectAsync("waiting");
        await holder.ExpectAsync("acquired");
        var waiter = Registry.StartWorker("wait", [Router, "--timeout", "30", .. Setting]);
        await waiter.ExpectAsync("waiting");

        await holder.KillAsync();

        // A pure waiter recovers a dead holder at its fallback re-check (once a second).
        var free = await waiter.ExpectAsync("free", TimeSpan.FromSeconds(10));
        _output.WriteLine($"WaitForRouter returned {free[0]} ms after it started");
        (await waiter.WaitForExitAsync()).Should().Be(0);
        CrashSupport.SemaphoreValue(Registry, $"router-{Router}").Should().Be(1);
        Registry.RouterOwnerRecord(Router).Should().BeNull();
    }

    /// <summary>Reads lines until some waiter prints <c>acquired TS</c>; <c>waiting</c> lines mark waiters ready.</summary>
    private async Task<(WorkerProcess Worker, long AcquiredAt)> NextAcquirerAsync(MergedLines lines, HashSet<WorkerProcess> waiting)
    {
        while (true)
        {
            var next = await lines.ReadAsync(s_acquireBound) ?? throw new TimeoutException(
                $"no process acquired {Router} within {s_acquireBound}; waiters: {string.Join(", ", waiting.Select(w => w.Pid))}");
            var tokens = next.Line.Split(' ');
            switch (tokens[0])
            {
                case "waiting":
                    _ready.Add(next.Worker);
                    break;
                case "acquired":
                    waiting.Remove(next.Worker);
                    _ready.Remove(next.Worker);
                    return (next.Worker, long.Parse(tokens[1], CultureInfo.InvariantCulture));
                default:
                    throw new InvalidOperationException($"pid {next.Worker.Pid} printed '{next.Line}'. stderr:\n{next.Worker.Stderr}");
            }
        }
    }

    private async Task EnsureWaitingAsync(MergedLines lines, HashSet<WorkerProcess> waiting, int atLeast)
    {
        while (_ready.Count(waiting.Contains) < atLeast)
        {
            var next = await lines.ReadAsync(WorkerProcess.DefaultLineTimeout) ?? throw new TimeoutException("waiters did not start");
            next.Line.Should().Be("waiting", $"pid {next.Worker.Pid} must not acquire while the holder lives. stderr:\n{next.Worker.Stderr}");
            _ready.Add(next.Worker);
        }
    }
}
