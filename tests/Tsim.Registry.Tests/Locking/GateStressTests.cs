using System.Diagnostics;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary>
/// Gates (issue 13), in one process: several managers not shared with Python, several threads each, mixing
/// synchronous and asynchronous acquisitions, zero timeouts, cancellation at random moments, all-or-nothing
/// acquisitions with rollback, WaitForRouter and the override, against an in-process occupancy counter.
/// </summary>
public sealed class GateStressTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task ManyThreadsAndManagers_NotSharedWithPython_NeverOverlapAndLeaveEverythingFree(bool disposeOneMidway, bool oneSharedWithPython)
    {
        var managers = Enumerable.Range(0, 3).Select(i => _context.CreateManager(o =>
        {
            o.SharedWithPython = oneSharedWithPython && i == 2;
            o.LockProbeIntervalSeconds = 0.02;
        })).ToArray();
        var midway = Stopwatch.GetTimestamp() + (long)(2 * Stopwatch.Frequency);
        var disposed = 0;
        var inside = new int[2];
        var overlaps = 0;
        var grants = 0;
        var errors = new List<string>();
        var until = Stopwatch.GetTimestamp() + (long)(4 * Stopwatch.Frequency);
        string[] routers = ["r1", "r2"];

        void Enter(int i)
        {
            if (Interlocked.Increment(ref inside[i]) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            Interlocked.Increment(ref grants);
            Thread.SpinWait(Random.Shared.Next(0, 2000));
        }

        void Leave(int i) => Interlocked.Decrement(ref inside[i]);

        async Task Worker(int id)
        {
            var manager = managers[id % managers.Length];
            var job = $"job-{id}";
            var random = new Random(id);
            while (Stopwatch.GetTimestamp() < until)
            {
                if (disposeOneMidway && Stopwatch.GetTimestamp() > midway && Interlocked.Exchange(ref disposed, 1) == 0)
                {
                    managers[0].Dispose();
                }

                try
                {
                    switch (random.Next(7))
                    {
                        case 0:
                            {
                                var r = random.Next(2);
                                if (manager.AcquireRouterLock(routers[r], job, TimeSpan.Zero))
                                {
                                    Enter(r);
                                    Leave(r);
                                    manager.ReleaseRouterLock(routers[r], job).Should().BeTrue();
                                }

                                break;
                            }

                        case 1:
                            {
                                var r = random.Next(2);
                                if (manager.AcquireRouterLock(routers[r], job, TimeSpan.FromMilliseconds(random.Next(1, 30))))
                                {
                                    Enter(r);
                                    Leave(r);
                                    manager.ReleaseRouterLock(routers[r], job).Should().BeTrue();
                                }

                                break;
                            }

                        case 2:
                            {
                                var r = random.Next(2);
                                using var cts = new CancellationTokenSource(TimeSpan.FromTicks(random.Next(1, 20_000)));
                                try
                                {
                                    if (await manager.AcquireRouterLockAsync(routers[r], job, TimeSpan.FromMilliseconds(50), cts.Token))
                                    {
                                        Enter(r);
                                        Leave(r);

                                        // Released on another thread.
                                        await Task.Run(() => manager.ReleaseRouterLock(routers[r], job).Should().BeTrue());
                                    }
                                }
                                catch (OperationCanceledException)
                                {
                                }

                                break;
                            }

                        case 3:
                            {
                                using var cts = new CancellationTokenSource(TimeSpan.FromTicks(random.Next(1, 50_000)));
                                try
                                {
                                    using var scope = await manager.AllRouterLocksAsync(routers, job, TimeSpan.FromMilliseconds(40), cts.Token);
                                    Enter(0);
                                    Enter(1);
                                    Leave(1);
                                    Leave(0);
                                }
                                catch (Exception ex) when (ex is OperationCanceledException or RegistryLockTimeoutException)
                                {
                                }

                                break;
                            }

                        case 4:
                            {
                                if (manager.AcquireAllRouterLocksAtomic(routers, job, TimeSpan.FromMilliseconds(random.Next(0, 20))))
                                {
                                    Enter(0);
                                    Enter(1);
                                    Leave(1);
                                    Leave(0);
                                    manager.ReleaseAllRouterLocks(routers, job).Should().Be(2);
                                }

                                break;
                            }

                        case 5:
                            _ = manager.WaitForRouter(routers[random.Next(2)], TimeSpan.FromMilliseconds(random.Next(0, 10)));
                            break;

                        default:
                            try
                            {
                                // The override never frees a live hold: it must refuse or find the lock free.
                                if (manager.ForceReleaseRouterLock(routers[random.Next(2)]))
                                {
                                    lock (errors)
                                    {
                                        errors.Add("the override freed a router while only live processes used it");
                                    }
                                }
                            }
                            catch (InvalidOperationException)
                            {
                            }

                            break;
                    }
                }
                catch (ObjectDisposedException) when (disposeOneMidway && manager == managers[0])
                {
                    await Task.Yield();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    lock (errors)
                    {
                        errors.Add(ex.ToString());
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 9).Select(i => Task.Run(() => Worker(i))));

        errors.Should().BeEmpty();
        overlaps.Should().Be(0, "{0} grants", grants);
        foreach (var router in routers)
        {
            _context.RouterSemaphoreValue(router).Should().Be(1);
            var fresh = _context.CreateManager(o => o.SharedWithPython = false);
            fresh.AcquireRouterLock(router, "final", TimeSpan.Zero).Should().BeTrue("no gate or semaphore may be left taken");
            fresh.ReleaseRouterLock(router, "final");
        }
    }
}
