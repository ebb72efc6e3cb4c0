using System.Collections.Concurrent;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>A manager disposed while its threads register, lease and lock routers leaves every lock free and loses no update.</summary>
public sealed class RegistryManagerDisposeRaceTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Dispose_WhileRegistryCallsAndScopesRun_LeavesEveryLockFreeAndNoUpdateLost(int seed)
    {
        var doomed = _context.CreateManager();
        var survivor = _context.CreateManager();
        var remaining = new ConcurrentDictionary<string, bool>();
        var unexpected = new ConcurrentQueue<Exception>();
        using var started = new CountdownEvent(4);
        var stop = 0;

        var workers = Enumerable.Range(0, 6).Select(t => new Thread(() =>
        {
            var manager = t < 4 ? doomed : survivor;
            var random = new Random(seed * 100 + t);
            var signalled = false;
            try
            {
                for (var n = 0; Volatile.Read(ref stop) == 0 && n < 400; n++)
                {
                    if (!signalled && t < 4 && n == 5)
                    {
                        started.Signal();
                        signalled = true;
                    }

                    var host = $"h-{t}-{n}";
                    var ip = $"10.{t}.{n / 250}.{(n % 250) + 1}";
                    var mac = $"02:00:00:{t:x2}:{n / 256:x2}:{n % 256:x2}";
                    manager.RegisterHost(host, ip, "r1", mac);
                    remaining[host] = true;
                    manager.AcquireSourceHostLease("run-" + t, host, "quick", "r1");
                    using (manager.RouterLock("r" + random.Next(3), "job-" + t, TimeSpan.FromSeconds(20)))
                    {
                        Thread.SpinWait(random.Next(50));
                    }

                    manager.ReleaseSourceHostLease("run-" + t, host);
                    if (manager.UnregisterHost(host))
                    {
                        remaining.TryRemove(host, out _);
                    }
                }
            }
            catch (ObjectDisposedException) when (t < 4)
            {
                // The doomed manager's calls end like this.
            }
            catch (Exception ex)
            {
                unexpected.Enqueue(ex);
            }
            finally
            {
                if (!signalled && t < 4)
                {
                    started.Signal();
                }
            }
        })
        { IsBackground = true }).ToArray();

        foreach (var worker in workers)
        {
            worker.Start();
        }

        started.Wait(TimeSpan.FromSeconds(60)).Should().BeTrue();
        doomed.Dispose();
        Volatile.Write(ref stop, 1);
        foreach (var worker in workers)
        {
            worker.Join(TimeSpan.FromSeconds(60)).Should().BeTrue();
        }

        unexpected.Should().BeEmpty();

        // Nothing is left held: every lock can be taken at once by the survivor.
        foreach (var lockName in new[] { _context.HostsLockName, _context.HostLeasesLockName, _context.RouterLockName("r0"), _context.RouterLockName("r1"), _context.RouterLockName("r2") })
        {
            RegistryTestContext.SemaphoreValue(lockName).Should().BeOneOf([1, -1], lockName);
        }

        // No registration or removal lost: the file holds exactly the hosts that were registered and not removed.
        survivor.ListAllHosts().Keys.Should().BeEquivalentTo(remaining.Keys);
        survivor.ListHeldLocks().Should().BeEmpty();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Dispose_WhileAsyncScopesAreCancelledAndAcquired_LeavesEveryRouterFree(int seed)
    {
        var doomed = _context.CreateManager();
        var random = new Random(seed);
        using var cts = new CancellationTokenSource();
        var unexpected = new ConcurrentQueue<Exception>();
        var tasks = Enumerable.Range(0, 16).Select(async t =>
        {
            await Task.Yield();
            try
            {
                for (var n = 0; n < 200; n++)
                {
                    using var perCall = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                    perCall.CancelAfter(random.Next(1, 5));
                    try
                    {
                        await using (await doomed.AllRouterLocksAsync(["a" + (t % 3), "b" + (t % 2), "c"], "job-" + t, TimeSpan.FromSeconds(5), perCall.Token))
                        {
                            await Task.Yield();
                        }
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }
            catch (ObjectDisposedException)
            {
            }
            catch (Exception ex)
            {
                unexpected.Enqueue(ex);
            }
        }).ToArray();

        await Task.Delay(random.Next(20, 200));
        doomed.Dispose();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));

        unexpected.Should().BeEmpty();
        foreach (var router in new[] { "a0", "a1", "a2", "b0", "b1", "c" })
        {
            _context.RouterSemaphoreValue(router).Should().BeOneOf([1, -1], router);
            File.Exists(_context.OwnerRecordPath(router)).Should().BeFalse(router);
        }
    }
}
