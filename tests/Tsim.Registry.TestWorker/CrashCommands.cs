using System.Diagnostics;
using System.Globalization;
using Tsim.Registry.Locking;
using static Tsim.Registry.TestWorker.Protocol;

namespace Tsim.Registry.TestWorker;

/// <summary>
/// Commands for the crash-safety tests: processes that are meant to be killed (SIGKILL, SIGTERM) at a moment the
/// test chooses, reporting on stdout everything the test must check afterwards.
/// </summary>
internal static class CrashCommands
{
    private static readonly TimeSpan s_acquireTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>hold ROUTER JOB</c>: prints <c>waiting</c>, acquires (waiting up to 60 s), prints <c>acquired TS</c>, then
    /// reads one stdin line: <c>exit</c> ends the process with <see cref="Environment.Exit"/> (a normal exit, without
    /// releasing or disposing anything itself); end of input releases and exits. Meant to be killed while it holds.
    /// </summary>
    internal static int Hold(RegistryManager manager, WorkerArguments arguments)
    {
        var router = arguments.Positional(0, "router");
        var job = arguments.Positional(1, "job id");

        Say("waiting");
        if (!manager.AcquireRouterLock(router, job, s_acquireTimeout))
        {
            Say("timeout");
            return 1;
        }

        Say($"acquired {Now()}");
        if (ReadCommand() == "exit")
        {
            // Normal process exit with the lock still held: only the library's ProcessExit handler can release it.
            Environment.Exit(0);
        }

        manager.ReleaseRouterLock(router, job);
        Say("released");
        return 0;
    }

    /// <summary>
    /// <c>hold-busy ROUTER JOB</c>: acquires, prints <c>acquired TS</c>, and keeps a background thread printing
    /// <c>alive TS</c> every few milliseconds, as a job's worker thread would go on using the router. The line
    /// <c>exit</c> on stdin ends the process with <see cref="Environment.Exit"/>, whose <see cref="AppDomain.ProcessExit"/>
    /// handlers run 300 ms of shutdown work while that thread still runs: the window in which an exiting holder must
    /// not hand the router on.
    /// </summary>
    internal static int HoldBusy(RegistryManager manager, WorkerArguments arguments)
    {
        var router = arguments.Positional(0, "router");
        var job = arguments.Positional(1, "job id");
        if (!manager.AcquireRouterLock(router, job, s_acquireTimeout))
        {
            Say("timeout");
            return 1;
        }

        // Registered after the manager's own handler, so it runs after it: what a job runner's clean-up looks like.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Thread.Sleep(300);
        Say($"acquired {Now()}");
        var worker = new Thread(() =>
        {
            while (true)
            {
                Say($"alive {Now()}");
                Thread.Sleep(5);
            }
        })
        { IsBackground = true };
        worker.Start();
        if (ReadCommand() == "exit")
        {
            Environment.Exit(0);
        }

        return 0;
    }

    /// <summary>
    /// <c>acquire-loop ROUTER</c>: on every stdin line <c>next</c>, prints <c>waiting</c>, acquires the router (waiting
    /// up to 60 s), prints <c>acquired TS</c> and releases it at once; ends on anything else. One long-running waiter
    /// for many takeovers: a job runner's warm process, as opposed to a fresh one per trial.
    /// </summary>
    internal static int AcquireLoop(RegistryManager manager, WorkerArguments arguments)
    {
        var router = arguments.Positional(0, "router");
        var job = JobId("acquire-loop");
        while (ReadCommand() == "next")
        {
            Say("waiting");
            if (!manager.AcquireRouterLock(router, job, s_acquireTimeout))
            {
                Say("timeout");
                return 1;
            }

            Say($"acquired {Now()}");
            manager.ReleaseRouterLock(router, job);
        }

        return 0;
    }

    /// <summary>
    /// <c>chaos-loop ROUTER --marker FILE</c>: after <c>go</c> on stdin, takes the router in a loop until <c>stop</c> (or end
    /// of input), printing <c>ok</c> after each round and <c>overlap DETAIL</c> at once when it finds another process
    /// inside the critical section; then <c>done ROUNDS OVERLAPS</c>. Meant to be SIGKILLed at any moment.
    /// </summary>
    /// <remarks>
    /// The marker is a symlink whose target is the holder's pid: created atomically and exclusively (symlink(2) fails
    /// with EEXIST), and it names who is inside. A marker left by a process that was killed inside the critical section
    /// names a dead pid: that is no overlap, just debris to clear. A marker naming a live process is an overlap, and
    /// so is finding our own marker gone or replaced when leaving. Inside, the holder sleeps ~1 ms.
    /// </remarks>
    internal static int ChaosLoop(RegistryManager manager, WorkerArguments arguments)
    {
        var router = arguments.Positional(0, "router");
        var marker = arguments.Required("--marker");
        var job = JobId("chaos");
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

        ReadyThenWaitForGo();
        var stop = StopOnNextCommand();

        int rounds = 0, overlaps = 0;
        while (!stop.IsCancellationRequested)
        {
            if (!manager.AcquireRouterLock(router, job, s_acquireTimeout))
            {
                Say($"timeout {Number(rounds)}");
                return 1;
            }

            overlaps += Enter(marker, self, router);
            Thread.Sleep(1);
            overlaps += Leave(marker, self, router);
            if (!manager.ReleaseRouterLock(router, job))
            {
                Say($"not-held {Number(rounds)}");
                return 1;
            }

            rounds++;
            Say("ok");
        }

        Say($"done {Number(rounds)} {Number(overlaps)}");
        return 0;
    }

    /// <summary>
    /// <c>chaos-two-locks ROUTER --marker-dir DIR</c>: after <c>go</c>, alternates until <c>stop</c> (or end of input)
    /// between the router's lock, through the public API, and the hosts-registry lock, held directly as every
    /// registration holds it (<see cref="LockManager.AcquireRegistryLock"/>). After each round it prints
    /// <c>router TS</c> or <c>hosts TS</c>, TS the moment that lock was granted; <c>overlap LOCK DETAIL</c> at once when
    /// it finds another process inside; then <c>done ROUTER_ROUNDS HOSTS_ROUNDS OVERLAPS</c>. Meant to be SIGKILLed at
    /// any moment.
    /// </summary>
    /// <remarks>
    /// Each lock has its own marker (<c>DIR/router</c>, <c>DIR/hosts</c>), used as <see cref="ChaosLoop"/> uses its one.
    /// Nothing sleeps, inside or between the critical sections, and nothing is printed inside them: the time is spent in
    /// the acquisitions and releases, so a kill at a random moment lands in every part of them, the microseconds
    /// between the semaphore wait returning and the owner record being written included. A double grant leaves the
    /// semaphore one post ahead for good, so every later round may show it even though each stay inside is short.
    /// </remarks>
    internal static int ChaosTwoLocks(RegistryManager manager, WorkerArguments arguments)
    {
        var router = arguments.Positional(0, "router");
        var markers = arguments.Required("--marker-dir");
        var routerMarker = Path.Combine(markers, "router");
        var hostsMarker = Path.Combine(markers, "hosts");
        var locks = manager.Locks;
        var hostsLock = LockName.HostsRegistry(manager.SemaphorePrefix);
        var registryTimeout = LockTimeout.FromSeconds(s_acquireTimeout.TotalSeconds);
        var job = JobId("chaos2");
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

        ReadyThenWaitForGo();
        var stop = StopOnNextCommand();

        int routerRounds = 0, hostsRounds = 0, overlaps = 0;
        while (!stop.IsCancellationRequested)
        {
            if (!manager.AcquireRouterLock(router, job, s_acquireTimeout))
            {
                Say($"timeout router {Number(routerRounds)}");
                return 1;
            }

            var granted = Stopwatch.GetTimestamp();
            overlaps += Enter(routerMarker, self, "router");
            overlaps += Leave(routerMarker, self, "router");
            if (!manager.ReleaseRouterLock(router, job))
            {
                Say($"not-held router {Number(routerRounds)}");
                return 1;
            }

            routerRounds++;
            Say($"router {Stamp(granted)}");

            // A timeout throws (RegistryLockTimeoutException): Main reports it on stderr and exits 2.
            using (locks.AcquireRegistryLock(hostsLock, registryTimeout))
            {
                granted = Stopwatch.GetTimestamp();
                overlaps += Enter(hostsMarker, self, "hosts");
                overlaps += Leave(hostsMarker, self, "hosts");
            }

            hostsRounds++;
            Say($"hosts {Stamp(granted)}");
        }

        Say($"done {Number(routerRounds)} {Number(hostsRounds)} {Number(overlaps)}");
        return 0;
    }

    /// <summary>The most hosts one <c>register-loop</c> registers: ranges this far apart never overlap.</summary>
    internal const int RegisterLoopMaximum = 100_000;

    /// <summary>
    /// <c>register-loop START</c>: after <c>go</c>, registers <c>h&lt;i&gt;</c> for i = START, START+1, … until killed (at
    /// most <see cref="RegisterLoopMaximum"/> hosts), printing <c>registered NAME</c> after each registration that returned true (and
    /// <c>collision NAME</c> otherwise) before starting the next.
    /// </summary>
    internal static int RegisterLoop(RegistryManager manager, WorkerArguments arguments)
    {
        var start = arguments.PositionalInt(0, "start");
        var router = arguments.Optional("--router") ?? "r1";

        ReadyThenWaitForGo();
        for (var i = start; i < start + RegisterLoopMaximum; i++)
        {
            var name = HostAddresses.Name(i);
            var registered = manager.CheckAndRegisterHost(name, HostAddresses.Ip(i), router, HostAddresses.Mac(i));
            Say($"{(registered ? "registered" : "collision")} {name}");
        }

        Say("done");
        return 0;
    }

    private static string Stamp(long timestamp) => timestamp.ToString(CultureInfo.InvariantCulture);

    /// <summary>Creates the marker of <paramref name="lockLabel"/>; returns 1 when another live process is inside.</summary>
    private static int Enter(string marker, string self, string lockLabel)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                File.CreateSymbolicLink(marker, self);
                return 0;
            }
            catch (IOException)
            {
                // EEXIST: someone is inside, or a killed holder's debris.
            }

            var inside = ReadMarker(marker);
            if (inside is null)
            {
                continue; // Deleted meanwhile: that holder was still inside a moment ago, yet try again.
            }

            if (IsAlive(inside))
            {
                Say($"overlap {lockLabel} entering: pid {inside} is inside");
                return 1;
            }

            File.Delete(marker); // Left by a holder that died inside; under the lock nobody else touches it.
        }

        Say($"overlap {lockLabel} entering: the marker keeps coming back");
        return 1;
    }

    /// <summary>Deletes our marker of <paramref name="lockLabel"/>; returns 1 when it is no longer ours.</summary>
    private static int Leave(string marker, string self, string lockLabel)
    {
        var inside = ReadMarker(marker);
        if (inside != self)
        {
            Say($"overlap {lockLabel} leaving: marker names {inside ?? "nobody"}");
            return 1;
        }

        File.Delete(marker);
        return 0;
    }

    private static string? ReadMarker(string marker)
    {
        try
        {
            return new FileInfo(marker).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Alive = /proc/PID/stat exists and the process is not a zombie.</summary>
    private static bool IsAlive(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat.AsSpan(stat.LastIndexOf(')') + 1).TrimStart();
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
