using System.Diagnostics;
using System.Globalization;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// A router holder SIGKILLed while it holds: another process recovers the lock (the owner record names a dead pid)
/// within the probe interval plus its own wait, trial after trial.
/// </summary>
public sealed class KilledRouterHolderTests(ITestOutputHelper output) : IDisposable
{
    private const int Trials = 50;
    private const int Waiters = 3;
    private const string Router = "r1";

    /// <summary>Generous: recovery takes one probe interval (0.2 s); this only ends a hung test.</summary>
    private static readonly TimeSpan s_acquireBound = TimeSpan.FromSeconds(20);

    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();

    /// <summary>Waiters that printed <c>waiting</c>, i.e. are in (or about to enter) their wait.</summary>
    private readonly HashSet<WorkerProcess> _ready = [];

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task HolderKilled_AWaitingProcessAcquiresAfterTheKill_EveryTrial()
    {
        var lines = new MergedLines();
        var waiting = new HashSet<WorkerProcess>();
        var started = 0;
        WorkerProcess StartHolder()
        {
            var worker = _registry.StartWorker("hold", Router, $"job-{started++}");
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

        output.WriteLine($"{Trials} kills of a router holder; kill to acquisition by another process: {CrashSupport.Summary(latencies)}");
        _registry.CreateManager().GetRouterLockOwner(Router)!.Pid.Should().Be(holder.Pid);
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
