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
        var timeout = TimeoutOption("router_lock", "30");
        return LockCycleCommand(
            context,
            "lock",
            "Acquire a router lock, hold it, release it: ACQUIRED <mono_ns>, then RELEASED <mono_ns>; or TIMEOUT (exit 1).",
            RouterArgument(),
            timeout,
            parseResult => Seconds(parseResult.GetValue(timeout)),
            HoldOption(),
            (manager, router, job, wait) => manager.AcquireRouterLock(router, job, wait),
            (manager, router, job) => manager.ReleaseRouterLock(router, job));
    }

    private static Command TryLock(CliContext context)
    {
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait (default 0.1).",
            HelpName = "S",
            DefaultValueFactory = _ => TryLockTimeoutSeconds,
        };
        return LockCycleCommand(
            context,
            "trylock",
            "Acquire a router lock and release it at once: ACQUIRED <mono_ns> and RELEASED <mono_ns>; or TIMEOUT (exit 1).",
            RouterArgument(),
            timeout,
            parseResult => Seconds(parseResult.GetValue(timeout)),
            hold: null,
            (manager, router, job, wait) => manager.AcquireRouterLock(router, job, wait),
            (manager, router, job) => manager.ReleaseRouterLock(router, job));
    }

    private static Command LockAll(CliContext context)
    {
        var timeout = TimeoutOption("router_lock_atomic", "60");
        static string[] Split(string routers) => routers.Split(',', StringSplitOptions.RemoveEmptyEntries);
        return LockCycleCommand(
            context,
            "lock-all",
            "Acquire several router locks all or nothing, hold, release: ACQUIRED <mono_ns>, then RELEASED <mono_ns>; or TIMEOUT (exit 1).",
            new Argument<string>("routers") { Description = "Comma-separated router names, e.g. r1,r2." },
            timeout,
            parseResult => Seconds(parseResult.GetValue(timeout)),
            HoldOption(),
            (manager, routers, job, wait) => manager.AcquireAllRouterLocksAtomic(Split(routers), job, wait),
            (manager, routers, job) => manager.ReleaseAllRouterLocks(Split(routers), job));
    }

    /// <summary>
    /// <c>lock</c>, <c>trylock</c> and <c>lock-all</c>: the routers argument, the job, the timeout and (but for
    /// <c>trylock</c>) <c>--hold</c>, running <see cref="LockCycle"/> with the given acquire and release.
    /// </summary>
    private static Command LockCycleCommand(
        CliContext context,
        string name,
        string description,
        Argument<string> routers,
        Option timeoutOption,
        Func<ParseResult, TimeSpan?> timeout,
        Option<double>? hold,
        Func<RegistryManager, string, string, TimeSpan?, bool> acquire,
        Action<RegistryManager, string, string> release)
    {
        var job = JobArgument();
        var command = new Command(name, description) { routers, job, timeoutOption };
        if (hold is not null)
        {
            command.Options.Add(hold);
        }

        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var target = parseResult.GetRequiredValue(routers);
            var jobId = parseResult.GetRequiredValue(job);
            return LockCycle(
                context,
                acquire(manager, target, jobId, timeout(parseResult)),
                hold is null ? 0 : parseResult.GetValue(hold),
                () => release(manager, target, jobId));
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
