using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Tsim.Registry.Cli.Rendering;

namespace Tsim.Registry.Cli.Commands;

/// <summary><c>lock</c>, <c>trylock</c>, <c>lock-all</c>, <c>release</c>, <c>is-locked</c>, <c>owner</c>, <c>wait-router</c>.</summary>
internal static class RouterCommands
{
    /// <summary>The interop client's <c>trylock</c> timeout: long enough to ride out a release in flight.</summary>
    internal const double TryLockTimeoutSeconds = 0.1;

    internal static IEnumerable<Command> Create(CliContext context) =>
        [Lock(context), TryLock(context), LockAll(context), Release(context), IsLocked(context), Owner(context), WaitRouter(context)];

    private static Command Lock(CliContext context)
    {
        var router = RouterArgument();
        var job = JobArgument();
        var timeout = TimeoutOption("router_lock", "30");
        var hold = HoldOption();
        var command = new Command(
            "lock",
            "Acquire a router lock, hold it, release it: ACQUIRED <mono_ns>, then RELEASED <mono_ns>; or TIMEOUT (exit 1).")
        {
            router, job, timeout, hold,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var routerName = parseResult.GetRequiredValue(router);
            var jobId = parseResult.GetRequiredValue(job);
            return LockCycle(
                context,
                manager.AcquireRouterLock(routerName, jobId, Seconds(parseResult.GetValue(timeout))),
                parseResult.GetValue(hold),
                () => manager.ReleaseRouterLock(routerName, jobId));
        }));
        return command;
    }

    private static Command TryLock(CliContext context)
    {
        var router = RouterArgument();
        var job = JobArgument();
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait (default 0.1).",
            HelpName = "S",
            DefaultValueFactory = _ => TryLockTimeoutSeconds,
        };
        var command = new Command(
            "trylock",
            "Acquire a router lock and release it at once: ACQUIRED <mono_ns> and RELEASED <mono_ns>; or TIMEOUT (exit 1).")
        {
            router, job, timeout,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var routerName = parseResult.GetRequiredValue(router);
            var jobId = parseResult.GetRequiredValue(job);
            return LockCycle(
                context,
                manager.AcquireRouterLock(routerName, jobId, Seconds(parseResult.GetValue(timeout))),
                holdSeconds: 0,
                () => manager.ReleaseRouterLock(routerName, jobId));
        }));
        return command;
    }

    private static Command LockAll(CliContext context)
    {
        var routers = new Argument<string>("routers") { Description = "Comma-separated router names, e.g. r1,r2." };
        var job = JobArgument();
        var timeout = TimeoutOption("router_lock_atomic", "60");
        var hold = HoldOption();
        var command = new Command(
            "lock-all",
            "Acquire several router locks all or nothing, hold, release: ACQUIRED <mono_ns>, then RELEASED <mono_ns>; or TIMEOUT (exit 1).")
        {
            routers, job, timeout, hold,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var routerNames = parseResult.GetRequiredValue(routers).Split(',', StringSplitOptions.RemoveEmptyEntries);
            var jobId = parseResult.GetRequiredValue(job);
            return LockCycle(
                context,
                manager.AcquireAllRouterLocksAtomic(routerNames, jobId, Seconds(parseResult.GetValue(timeout))),
                parseResult.GetValue(hold),
                () => manager.ReleaseAllRouterLocks(routerNames, jobId));
        }));
        return command;
    }

    private static Command Release(CliContext context)
    {
        var router = RouterArgument();
        var job = JobArgument();
        var command = new Command(
            "release",
            "Release a router lock held by this process: RELEASED, or NOT_HELD (exit 1). A fresh process holds nothing, so this "
            + "prints NOT_HELD, as the Python client does; another process's lock is never released.")
        {
            router, job,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var released = manager.ReleaseRouterLock(parseResult.GetRequiredValue(router), parseResult.GetRequiredValue(job));
            context.WriteLine(released ? "RELEASED" : "NOT_HELD");
            return released ? ExitCodes.Success : ExitCodes.NegativeOutcome;
        }));
        return command;
    }

    private static Command IsLocked(CliContext context)
    {
        var router = RouterArgument();
        var command = new Command("is-locked", "Print true when any process (C# or Python) holds the router, else false.") { router };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            context.WriteLine(manager.IsRouterLocked(parseResult.GetRequiredValue(router)) ? "true" : "false");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Owner(CliContext context)
    {
        var router = RouterArgument();
        var command = new Command(
            "owner",
            "Print the router's owner record as JSON (router, job_id, pid, start_time, acquired_at); null (exit 1) when the "
            + "router is free or held by a process that writes no record (Python).")
        {
            router,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var owner = manager.GetRouterLockOwner(parseResult.GetRequiredValue(router));
            context.WriteLine(owner is null ? "null" : RegistryJson.Owner(owner));
            return owner is null ? ExitCodes.NegativeOutcome : ExitCodes.Success;
        }));
        return command;
    }

    private static Command WaitRouter(CliContext context)
    {
        var router = RouterArgument();
        var timeout = TimeoutOption("router_lock", "30");
        var command = new Command(
            "wait-router",
            "Wait until the router is free, without taking it: FREE <elapsed_s>, or TIMEOUT <elapsed_s> (exit 1).")
        {
            router, timeout,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var start = Stopwatch.GetTimestamp();
            var free = manager.WaitForRouter(parseResult.GetRequiredValue(router), Seconds(parseResult.GetValue(timeout)));
            var elapsed = Math.Round(Stopwatch.GetElapsedTime(start).TotalSeconds, 6);
            context.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(free ? "FREE" : "TIMEOUT")} {PythonJson.Float(elapsed)}"));
            return free ? ExitCodes.Success : ExitCodes.NegativeOutcome;
        }));
        return command;
    }

    /// <summary>
    /// The interop client's lock protocol: <c>ACQUIRED &lt;mono_ns&gt;</c>, the hold, then <c>RELEASED &lt;mono_ns&gt;</c>
    /// with the time taken just before releasing, so that a test can check that no two holds overlap.
    /// </summary>
    private static int LockCycle(CliContext context, bool acquired, double holdSeconds, Action release)
    {
        if (!acquired)
        {
            context.WriteLine("TIMEOUT");
            return ExitCodes.NegativeOutcome;
        }

        context.WriteLine(FormattableString.Invariant($"ACQUIRED {MonotonicClock.NowNanoseconds()}"));
        LockHold.Wait(holdSeconds, context.Input);
        var releasedAt = MonotonicClock.NowNanoseconds();
        release();
        context.WriteLine(FormattableString.Invariant($"RELEASED {releasedAt}"));
        return ExitCodes.Success;
    }

    private static TimeSpan? Seconds(double? seconds) => seconds is { } value ? Seconds(value) : null;

    /// <summary>
    /// Seconds to a <see cref="TimeSpan"/>, refusing what <see cref="TimeSpan.FromSeconds(double)"/> would turn into an
    /// <see cref="OverflowException"/> or an unnamed <see cref="ArgumentException"/> (NaN, ±Infinity, 1e300). The range
    /// itself (negative, too large) is the library's to check.
    /// </summary>
    private static TimeSpan Seconds(double timeout) =>
        double.IsFinite(timeout) && Math.Abs(timeout) <= RegistryLockTimeouts.MaxSeconds
            ? TimeSpan.FromSeconds(timeout)
            : throw new ArgumentOutOfRangeException(
                nameof(timeout),
                timeout,
                string.Create(CultureInfo.InvariantCulture, $"--timeout (timeout) must be a finite number of seconds from 0 to {RegistryLockTimeouts.MaxSeconds} (got {timeout})."));

    private static Argument<string> RouterArgument() => new("router") { Description = "Router name." };

    private static Argument<string> JobArgument() => new("job") { Description = "Job id that holds the lock." };

    /// <summary>
    /// Absent means the configured timeout (<c>--lock-timeout</c>, <c>--config</c>), whose default equals the interop
    /// client's default for the command.
    /// </summary>
    private static Option<double?> TimeoutOption(string configKey, string defaultSeconds) => new("--timeout")
    {
        Description = $"Seconds to wait (default: the {configKey} lock timeout, {defaultSeconds} unless configured).",
        HelpName = "S",
    };

    private static Option<double> HoldOption() => new("--hold")
    {
        Description = "Seconds to hold the lock (default 0); -1 holds until a line or end of file on stdin.",
        HelpName = "S",
    };
}
