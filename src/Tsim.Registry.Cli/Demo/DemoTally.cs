using System.Globalization;

namespace Tsim.Registry.Cli.Demo;

/// <summary>What the demo's workers reported, gathered as their lines arrive (from several reader threads).</summary>
internal sealed class DemoTally
{
    private readonly Lock _lock = new();
    private readonly List<HoldInterval> _holds = [];
    private readonly List<string> _overlaps = [];

    internal DemoTally(int workers, IReadOnlyList<string> routers)
    {
        Workers = [.. Enumerable.Range(1, workers).Select(i => new WorkerTally(i))];
        Routers = [.. routers.Select(r => new RouterTally(r))];
    }

    internal IReadOnlyList<WorkerTally> Workers { get; }

    internal IReadOnlyList<RouterTally> Routers { get; }

    /// <summary>Gets what each marker collision said: router, the job that found the marker, and its holder.</summary>
    internal IReadOnlyList<string> OverlapReports
    {
        get
        {
            lock (_lock)
            {
                return [.. _overlaps];
            }
        }
    }

    internal void Apply(int worker, string line)
    {
        if (DemoEvent.Parse(line) is not { } e)
        {
            return;
        }

        lock (_lock)
        {
            var w = Workers[worker - 1];
            switch (e.Kind)
            {
                case DemoEvent.Job when e.Arguments is ["quick"]:
                    w.Quick++;
                    break;
                case DemoEvent.Job:
                    w.Detailed++;
                    break;
                case DemoEvent.Hold when e.Arguments is [var routers, var start, var end]:
                    w.Holds++;
                    foreach (var router in routers.Split(','))
                    {
                        var interval = new HoldInterval(router, worker, long.Parse(start, CultureInfo.InvariantCulture), long.Parse(end, CultureInfo.InvariantCulture));
                        _holds.Add(interval);
                        if (Router(router) is { } r)
                        {
                            r.Holds++;
                            r.HeldMilliseconds += (interval.End - interval.Start) / 1e6;
                        }
                    }

                    break;
                case DemoEvent.Wait when e.Arguments is [var router, var ms]:
                    w.Waits++;
                    if (Router(router) is { } waited)
                    {
                        var milliseconds = double.Parse(ms, CultureInfo.InvariantCulture);
                        waited.Waits++;
                        waited.TotalWaitMilliseconds += milliseconds;
                        waited.MaxWaitMilliseconds = Math.Max(waited.MaxWaitMilliseconds, milliseconds);
                    }

                    break;
                case DemoEvent.Timeout:
                    w.Timeouts++;
                    break;
                case DemoEvent.Lease:
                    w.Leases++;
                    break;
                case DemoEvent.HostRegistered:
                    w.HostsRegistered++;
                    break;
                case DemoEvent.HostTornDown:
                    w.HostsTornDown++;
                    break;
                case DemoEvent.Overlap when e.Arguments is [var router, var other]:
                    w.Overlaps++;
                    if (Router(router) is { } collided)
                    {
                        collided.Overlaps++;
                    }

                    _overlaps.Add($"worker {worker} found router {router} marked by {other}");
                    break;
                case DemoEvent.Done:
                    w.Done = true;
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Runs <paramref name="read"/> under the tally's lock, for a consistent view while workers still report.</summary>
    internal T Read<T>(Func<DemoTally, T> read)
    {
        lock (_lock)
        {
            return read(this);
        }
    }

    /// <summary>
    /// The second, independent check: holds of one router whose CLOCK_MONOTONIC intervals intersect (the clock is
    /// system-wide, so intervals of different processes compare). Each hold that starts before an earlier one ended
    /// counts once.
    /// </summary>
    internal int IntervalOverlaps()
    {
        lock (_lock)
        {
            var overlaps = 0;
            foreach (var router in _holds.GroupBy(h => h.Router, StringComparer.Ordinal))
            {
                var latestEnd = long.MinValue;
                foreach (var hold in router.OrderBy(h => h.Start))
                {
                    if (hold.Start < latestEnd)
                    {
                        overlaps++;
                    }

                    latestEnd = Math.Max(latestEnd, hold.End);
                }
            }

            return overlaps;
        }
    }

    private RouterTally? Router(string name) => Routers.FirstOrDefault(r => r.Name == name);

    private readonly record struct HoldInterval(string Router, int Worker, long Start, long End);

    internal sealed class WorkerTally(int index)
    {
        internal int Index { get; } = index;

        internal int? Pid { get; set; }

        internal int Quick { get; set; }

        internal int Detailed { get; set; }

        internal int Jobs => Quick + Detailed;

        internal int Holds { get; set; }

        internal int Waits { get; set; }

        internal int Timeouts { get; set; }

        internal int Leases { get; set; }

        internal int HostsRegistered { get; set; }

        internal int HostsTornDown { get; set; }

        internal int Overlaps { get; set; }

        internal bool Done { get; set; }

        internal int? ExitCode { get; set; }

        internal string Stderr { get; set; } = string.Empty;

        /// <summary>The counts of all <paramref name="workers"/> added up (index 0, no pid, exit code or stderr).</summary>
        internal static WorkerTally Sum(IReadOnlyCollection<WorkerTally> workers) => new(0)
        {
            Quick = workers.Sum(w => w.Quick),
            Detailed = workers.Sum(w => w.Detailed),
            Holds = workers.Sum(w => w.Holds),
            Waits = workers.Sum(w => w.Waits),
            Timeouts = workers.Sum(w => w.Timeouts),
            Leases = workers.Sum(w => w.Leases),
            HostsRegistered = workers.Sum(w => w.HostsRegistered),
            HostsTornDown = workers.Sum(w => w.HostsTornDown),
            Overlaps = workers.Sum(w => w.Overlaps),
        };
    }

    internal sealed class RouterTally(string name)
    {
        internal string Name { get; } = name;

        internal int Holds { get; set; }

        internal double HeldMilliseconds { get; set; }

        internal int Waits { get; set; }

        internal double TotalWaitMilliseconds { get; set; }

        internal double MaxWaitMilliseconds { get; set; }

        internal int Overlaps { get; set; }
    }
}
