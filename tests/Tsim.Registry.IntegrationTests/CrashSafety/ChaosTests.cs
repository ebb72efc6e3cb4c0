using System.Globalization;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// Several processes take one router lock in a tight loop, each checking with an exclusive marker that it is alone
/// inside; one of them is SIGKILLed at random moments and replaced, many times. Mutual exclusion must survive every
/// kill and every recovery.
/// </summary>
/// <remarks>
/// The known limit (LockRecovery's remarks; docs/ARCHITECTURE.md, "Crash safety"): a kill in the microseconds between the semaphore
/// wait returning and the owner record being written, or between deleting the record and posting, leaves the lock
/// held with no record, which is never recovered automatically. When progress stalls, the killed process is dead and
/// the router is held with <see cref="LockOwnerState.NoRecord"/>, the test counts a window hit and frees the lock the
/// operator's way (<see cref="RegistryManager.ForceReleaseRouterLock"/>), then goes on.
/// </remarks>
public sealed class ChaosTests(ITestOutputHelper output) : IDisposable
{
    private const string Router = "r1";
    private const int Survivors = 2;
    private const int Kills = 40;

    /// <summary>A recovery takes one probe interval (0.2 s); no round for this long means the lock is stuck.</summary>
    private static readonly TimeSpan s_stall = TimeSpan.FromSeconds(1.5);

    /// <summary>How long a stuck lock may stay stuck without a window-hit explanation before the test fails.</summary>
    private static readonly TimeSpan s_stuckLimit = TimeSpan.FromSeconds(20);

    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task OneOfThreeLoopingHoldersKilledAtRandomMoments_NoOverlapEver()
    {
        var marker = Path.Combine(_registry.CreateScratchDirectory("chaos"), "inside");
        var manager = _registry.CreateManager();
        var lines = new MergedLines();
        var overlaps = new List<string>();
        var random = new Random(7);
        int windowHits = 0, rounds = 0;

        WorkerProcess Start()
        {
            var worker = _registry.StartWorker("chaos-loop", Router, "--marker", marker);
            return worker;
        }

        var survivors = Enumerable.Range(0, Survivors).Select(_ => Start()).ToList();
        var victim = Start();
        var nextVictim = Start();
        foreach (var worker in (WorkerProcess[])[.. survivors, victim])
        {
            await worker.ExpectAsync("ready");
            lines.Add(worker);
            worker.SendLine("go");
        }

        for (var kill = 0; kill < Kills; kill++)
        {
            // Let the victim run into its loop, then kill it at a random moment of it.
            await WaitForRoundOfAsync(victim);
            await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * 30));
            await victim.KillAsync();

            // Its replacement was started (and JIT-compiled) meanwhile; the next one starts now.
            victim = nextVictim;
            await victim.ExpectAsync("ready");
            lines.Add(victim);
            victim.SendLine("go");
            nextVictim = Start();
            await WaitForProgressAsync();
        }

        foreach (var worker in (WorkerProcess[])[.. survivors, victim])
        {
            worker.SendLine("stop");
        }

        var stopped = 0;
        while (stopped < Survivors + 1)
        {
            var next = await lines.ReadAsync(WorkerProcess.DefaultLineTimeout) ?? throw new TimeoutException("workers did not stop");
            if (Tally(next.Line) && next.Line.StartsWith("done", StringComparison.Ordinal))
            {
                int.Parse(next.Line.Split(' ')[2], CultureInfo.InvariantCulture).Should().Be(0, "the worker counts no overlap either");
                stopped++;
            }
        }

        output.WriteLine($"{Kills} kills among {Survivors + 1} looping holders, {rounds} rounds, {windowHits} window hits (held with no owner record, force-released), {overlaps.Count} overlaps");
        overlaps.Should().BeEmpty();
        File.Exists(marker).Should().BeFalse("every survivor left the critical section cleanly");
        manager.GetRouterLockOwner(Router).Should().BeNull();

        // Reads one round of the victim, counting everyone's rounds and overlaps on the way.
        async Task WaitForRoundOfAsync(WorkerProcess worker)
        {
            while (true)
            {
                var next = await lines.ReadAsync(s_stall);
                if (next is null)
                {
                    await ExplainStallAsync(worker);
                    continue;
                }

                Tally(next.Value.Line);
                if (next.Value.Worker == worker && next.Value.Line == "ok")
                {
                    return;
                }
            }
        }

        // After a kill: some process must complete a round, or the stall must be a window hit.
        async Task WaitForProgressAsync()
        {
            while (true)
            {
                var next = await lines.ReadAsync(s_stall);
                if (next is null)
                {
                    await ExplainStallAsync(victim);
                    continue;
                }

                if (Tally(next.Value.Line) && next.Value.Line == "ok")
                {
                    return;
                }
            }
        }

        // No round for a while. Only a window hit explains it: the lock held with no record while every holder that
        // could have written none is dead. A live holder passes its window in microseconds, so a NoRecord seen twice,
        // a stall apart, with no round in between, is the dead one's.
        async Task ExplainStallAsync(WorkerProcess running)
        {
            var stuckSince = DateTime.UtcNow;
            while (DateTime.UtcNow - stuckSince < s_stuckLimit)
            {
                var held = manager.ListHeldLocks().SingleOrDefault(l => l.RouterName == Router);
                if (held?.OwnerState == LockOwnerState.NoRecord)
                {
                    var next = await lines.ReadAsync(s_stall);
                    if (next is not null)
                    {
                        Tally(next.Value.Line);
                        return; // Progress after all.
                    }

                    if (manager.ListHeldLocks().SingleOrDefault(l => l.RouterName == Router)?.OwnerState == LockOwnerState.NoRecord)
                    {
                        manager.ForceReleaseRouterLock(Router).Should().BeTrue();
                        windowHits++;
                        return;
                    }
                }
                else
                {
                    var next = await lines.ReadAsync(s_stall);
                    if (next is not null)
                    {
                        Tally(next.Value.Line);
                        return;
                    }
                }
            }

            var state = string.Join(", ", manager.ListHeldLocks().Select(l => $"{l.LockName} {l.OwnerState} pid {l.Pid}"));
            throw new TimeoutException(
                $"no progress for {s_stuckLimit} and no window hit to explain it; held: [{state}]; running victim pid {running.Pid}. stderr:\n{running.Stderr}");
        }

        // Counts a line; returns whether it was an "ok" or "done" (a process left the critical section normally).
        bool Tally(string line)
        {
            if (line.StartsWith("overlap", StringComparison.Ordinal))
            {
                overlaps.Add(line);
                return false;
            }

            if (line == "ok")
            {
                rounds++;
                return true;
            }

            line.Should().StartWith("done", "a worker prints only ok, overlap and done");
            return true;
        }
    }
}
