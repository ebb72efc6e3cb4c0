using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tsim.Registry.Cli.Rendering;

namespace Tsim.Registry.Cli.Demo;

/// <summary>
/// One <c>demo-worker</c> process: plays quick and detailed jobs on the demo's routers until its time is up, and
/// checks inside every router hold that no other job holds the router too (an exclusively created marker file per
/// router). Reports each step as a <see cref="DemoEvent"/> line on stdout.
/// </summary>
internal sealed class DemoWorker
{
    /// <summary>Share of detailed jobs: enough to keep the routers contended, while quick jobs still get through.</summary>
    private const double DetailedShare = 0.4;

    /// <summary>Longer than any demo hold by far: a timeout means a lock was lost, which the summary shows.</summary>
    private static readonly TimeSpan s_lockTimeout = TimeSpan.FromSeconds(15);

    private readonly RegistryManager _manager;
    private readonly int _worker;
    private readonly IReadOnlyList<string> _routers;
    private readonly string _markerDirectory;
    private readonly TextWriter _output;
    private readonly Random _random;
    private int _jobs;

    internal DemoWorker(RegistryManager manager, int worker, IReadOnlyList<string> routers, string markerDirectory, TextWriter output)
    {
        _manager = manager;
        _worker = worker;
        _routers = routers;
        _markerDirectory = markerDirectory;
        _output = output;

        // Seeded per process so that workers do not play the same sequence; the demo is not meant to be replayed.
#pragma warning disable CA5394 // Not security: job mix and hold times.
        _random = new Random(HashCode.Combine(worker, Environment.ProcessId));
#pragma warning restore CA5394
    }

    /// <summary>Standing host of a router: registered by the parent for the whole demo, leased by quick jobs.</summary>
    internal static string StandingHost(string router) => "h-" + router;

    internal static string StandingIp(int routerIndex) => string.Create(CultureInfo.InvariantCulture, $"10.0.0.{routerIndex + 1}/24");

    internal static string StandingMac(int routerIndex) => string.Create(CultureInfo.InvariantCulture, $"02:ff:00:00:00:{routerIndex + 1:x2}");

    internal void Run(TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < duration)
        {
            var job = string.Create(CultureInfo.InvariantCulture, $"w{_worker}-job{++_jobs}");
#pragma warning disable CA5394 // Not security.
            var detailed = _random.NextDouble() < DetailedShare;
#pragma warning restore CA5394
            if (detailed)
            {
                DetailedJob(job);
            }
            else
            {
                QuickJob(job);
            }
        }

        Emit(DemoEvent.Done);
    }

    /// <summary>
    /// Takes one or two routers at once, registers a host on each and leases it, holds briefly, releases the leases
    /// (tearing a host down when its last lease is gone) and releases the routers.
    /// </summary>
    private void DetailedJob(string job)
    {
        Emit(DemoEvent.Job, "detailed");
#pragma warning disable CA5394 // Not security.
        var count = _routers.Count > 1 && _random.Next(2) == 0 ? 2 : 1;
        var routers = _routers.OrderBy(_ => _random.Next()).Take(count).Order(StringComparer.Ordinal).ToArray();
        var holdMs = _random.Next(20, 80);
#pragma warning restore CA5394

        RouterLockScope scope;
        try
        {
            scope = _manager.AllRouterLocks(routers, job, s_lockTimeout);
        }
        catch (RegistryLockTimeoutException)
        {
            Emit(DemoEvent.Timeout, string.Join(',', routers));
            return;
        }

        using (scope)
        {
            var holdStart = MonotonicClock.NowNanoseconds();
            var markers = routers.Select(r => TakeMarker(r, job)).OfType<string>().ToList();

            var hosts = new List<string>();
            for (var i = 0; i < routers.Length; i++)
            {
                var host = string.Create(CultureInfo.InvariantCulture, $"d{_worker}-{_jobs}-{routers[i]}");
                var key = (_jobs * 8) + Array.IndexOf([.. _routers], routers[i]);
                if (_manager.CheckAndRegisterHost(host, HostIp(key), routers[i], HostMac(key)))
                {
                    Emit(DemoEvent.HostRegistered, host);
                }

                _manager.AcquireSourceHostLease(job, host, "detailed", routers[i]);
                Emit(DemoEvent.Lease, host);
                hosts.Add(host);
            }

            Thread.Sleep(holdMs);

            foreach (var host in hosts)
            {
                if (_manager.ReleaseSourceHostLease(job, host).ShouldDelete)
                {
                    _manager.UnregisterHost(host);
                    Emit(DemoEvent.HostTornDown, host);
                }
            }

            // Markers go before the routers do: deleted after the release, the next holder could still see ours.
            var holdEnd = MonotonicClock.NowNanoseconds();
            foreach (var marker in markers)
            {
                File.Delete(marker);
            }

            Emit(DemoEvent.Hold, string.Join(',', routers), holdStart, holdEnd);
        }
    }

    /// <summary>Waits until a router is free (without taking it), then takes a short lease on its standing host.</summary>
    private void QuickJob(string job)
    {
        Emit(DemoEvent.Job, "quick");
#pragma warning disable CA5394 // Not security.
        var router = _routers[_random.Next(_routers.Count)];
        var dscp = _random.Next(0, 64);
        var leaseMs = _random.Next(5, 25);
#pragma warning restore CA5394

        var start = Stopwatch.GetTimestamp();
        if (!_manager.WaitForRouter(router, s_lockTimeout))
        {
            Emit(DemoEvent.Timeout, router);
            return;
        }

        Emit(DemoEvent.Wait, router, Math.Round(Stopwatch.GetElapsedTime(start).TotalMilliseconds, 1));
        var host = StandingHost(router);
        _manager.AcquireSourceHostLease(job, host, "quick", router, dscp);
        Emit(DemoEvent.Lease, host);
        Thread.Sleep(leaseMs);

        // The standing host outlives its leases: the parent tears it down at the end, so should_delete is ignored here.
        _manager.ReleaseSourceHostLease(job, host);
    }

    /// <summary>
    /// Creates the router's marker exclusively (O_CREAT|O_EXCL): it can only exist if another job is inside its own
    /// hold of the same router, which the router lock must make impossible. Returns the path to delete, or null after
    /// reporting an overlap (the other job's marker is left to it).
    /// </summary>
    private string? TakeMarker(string router, string job)
    {
        var path = Path.Combine(_markerDirectory, router);
        try
        {
            using var marker = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            marker.Write(Encoding.UTF8.GetBytes(job));
            return path;
        }
        catch (IOException) when (File.Exists(path))
        {
            Emit(DemoEvent.Overlap, router, ReadOwner(path));
            return null;
        }
    }

    private static string ReadOwner(string path)
    {
        try
        {
            var owner = File.ReadAllText(path);
            return owner.Length == 0 ? "unknown" : owner;
        }
        catch (IOException)
        {
            // Deleted by its job between our create and our read.
            return "unknown";
        }
    }

    private string HostIp(int key) =>
        string.Create(CultureInfo.InvariantCulture, $"10.{_worker + 1}.{key / 250 % 250}.{(key % 250) + 2}/24");

    private string HostMac(int key) =>
        string.Create(CultureInfo.InvariantCulture, $"02:00:{_worker + 1:x2}:{(key >> 16) & 255:x2}:{(key >> 8) & 255:x2}:{key & 255:x2}");

    private void Emit(string kind, params object[] arguments)
    {
        // One write and a flush per line: the parent reads them live, and lines of one process never interleave.
        _output.WriteLine(DemoEvent.Format(kind, arguments));
        _output.Flush();
    }
}
