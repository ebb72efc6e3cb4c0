using System.Diagnostics;
using static Tsim.Registry.TestWorker.Protocol;

namespace Tsim.Registry.TestWorker;

/// <summary>Router lock commands: hold a lock on request, hammer one in a loop, wait for one.</summary>
internal static class LockCommands
{
    /// <summary>Default acquire timeout: long enough for any contention a test creates, short enough to end a hung test.</summary>
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary><c>lock</c> and <c>lock-all</c>: acquire, report, then follow one stdin command.</summary>
    internal static int Hold(RegistryManager manager, WorkerArguments arguments, bool all)
    {
        var routers = arguments.PositionalList(0, all ? "routers" : "router");
        var job = arguments.Positional(1, "job id");
        var timeout = arguments.OptionalSeconds("--timeout", s_defaultTimeout);
        var acquired = all
            ? manager.AcquireAllRouterLocksAtomic(routers, job, timeout)
            : manager.AcquireRouterLock(routers.Single(), job, timeout);
        if (!acquired)
        {
            Say("timeout");
            return 1;
        }

        Say("acquired");
        switch (ReadCommand())
        {
            case "abandon":
                // Crash stand-in: SIGKILL to itself, so nothing runs on the way out (no Dispose, no ProcessExit or
                // signal handler of the library); Environment.Exit would run the ProcessExit handlers.
                Say("abandoning");
                using (var self = Process.GetCurrentProcess())
                {
                    self.Kill();
                }

                return 3; // Not reached.

            case "dispose":
                // The manager's Dispose alone must release what it holds (the process stays alive meanwhile).
                manager.Dispose();
                Say("disposed");
                ReadCommand();
                return 0;

            default:
                // "release", or EOF when the test went away: never leave a lock behind.
                var before = Now();
                var released = manager.ReleaseAllRouterLocks(routers, job);
                if (released != routers.Distinct(StringComparer.Ordinal).Count())
                {
                    Say($"not-held {Number(released)}");
                    return 1;
                }

                Say($"released {before}");
                return 0;
        }
    }

    /// <summary><c>lock-loop</c>: N times take the router, prove we are alone inside, let go.</summary>
    internal static int LockLoop(RegistryManager manager, WorkerArguments arguments)
    {
        var router = arguments.Positional(0, "router");
        var iterations = arguments.PositionalInt(1, "iterations");
        var marker = arguments.Required("--marker");
        var counter = arguments.Optional("--counter");
        var job = JobId("loop");

        ReadyThenWaitForGo();
        var overlaps = 0;
        for (var i = 0; i < iterations; i++)
        {
            if (!manager.AcquireRouterLock(router, job, s_defaultTimeout))
            {
                Say($"timeout {Number(i)}");
                return 1;
            }

            overlaps += CriticalSection([marker], counter);
            if (!manager.ReleaseRouterLock(router, job))
            {
                Say($"not-held {Number(i)}");
                return 1;
            }
        }

        Say($"done {Number(overlaps)}");
        return 0;
    }

    /// <summary><c>lock-all-loop</c>: as <c>lock-loop</c>, with several routers taken at once and a marker per router.</summary>
    internal static int LockAllLoop(RegistryManager manager, WorkerArguments arguments)
    {
        var routers = arguments.PositionalList(0, "routers");
        var iterations = arguments.PositionalInt(1, "iterations");
        var markerDirectory = arguments.Required("--marker-dir");
        var markers = routers.Select(r => Path.Combine(markerDirectory, r + ".marker")).ToArray();
        var job = JobId("loop-all");

        ReadyThenWaitForGo();
        var overlaps = 0;
        for (var i = 0; i < iterations; i++)
        {
            using (manager.AllRouterLocks(routers, job, s_defaultTimeout))
            {
                overlaps += CriticalSection(markers, counterPath: null);
            }
        }

        Say($"done {Number(overlaps)}");
        return 0;
    }

    /// <summary><c>wait</c>: wait until the router is free, reporting how long that took.</summary>
    internal static int Wait(RegistryManager manager, WorkerArguments arguments)
    {
        var router = arguments.Positional(0, "router");
        var timeout = arguments.OptionalSeconds("--timeout", s_defaultTimeout);

        Say("waiting");
        var start = Stopwatch.GetTimestamp();
        var free = manager.WaitForRouter(router, timeout);
        var returned = Now();
        var elapsed = Milliseconds(Stopwatch.GetElapsedTime(start));
        if (!free)
        {
            Say($"timeout {elapsed}");
            return 1;
        }

        Say($"free {elapsed} {returned}");
        return 0;
    }

    /// <summary>
    /// Checks mutual exclusion where it matters, inside the lock: each marker is created exclusively (O_EXCL), so
    /// a marker that already exists means another process is inside at the same time. The optional counter is a
    /// read-increment-write that loses updates (or reads a torn file and throws) without exclusion.
    /// </summary>
    /// <returns>The number of markers that were already there.</returns>
    private static int CriticalSection(string[] markers, string? counterPath)
    {
        var overlaps = 0;
        var created = new List<string>(markers.Length);
        foreach (var marker in markers)
        {
            try
            {
                using (new FileStream(marker, FileMode.CreateNew, FileAccess.Write))
                {
                }

                created.Add(marker);
            }
            catch (IOException)
            {
                // EEXIST: someone else's marker, so someone else is inside. Theirs to delete.
                overlaps++;
            }
        }

        if (counterPath is not null)
        {
            var value = File.Exists(counterPath) ? int.Parse(File.ReadAllText(counterPath), System.Globalization.CultureInfo.InvariantCulture) : 0;
            File.WriteAllText(counterPath, Number(value + 1));
        }

        foreach (var marker in created)
        {
            File.Delete(marker);
        }

        return overlaps;
    }
}
