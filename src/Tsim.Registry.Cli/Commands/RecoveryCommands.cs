using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Tsim.Registry.Cli.Rendering;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Cli.Commands;

/// <summary>
/// <c>locks</c>, <c>reap</c>, <c>unlock</c>: what an operator needs after a job runner died (docs/ARCHITECTURE.md, "Deviations", 4 and 5).
/// Spectre.Console tables for people (<see cref="OperatorOutput"/>), <c>--json</c> for scripts.
/// </summary>
internal static class RecoveryCommands
{
    internal static IEnumerable<Command> Create(CliContext context) => [Locks(context), Reap(context), Unlock(context)];

    private static Command Locks(CliContext context)
    {
        var json = JsonOption();
        var command = new Command(
            "locks",
            "List every held lock (registry locks and routers) with its recorded owner and whether that owner is alive, dead, "
            + "unknown (another pid or time namespace, or this /proc is not of this pid namespace) or no-record (a Python holder, or a holder killed between its wait and its record).")
        {
            json,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var locks = manager.ListHeldLocks();
            if (parseResult.GetValue(json))
            {
                context.WriteLine(PythonJson.Indented(w => new SortedJsonObject().Add("locks", locks.Select(LockJson)).WriteTo(w)));
            }
            else if (locks.Count == 0)
            {
                context.Operator.WriteLine("no lock is held");
            }
            else
            {
                context.Operator.Write(LocksTable(context.Operator, locks));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Reap(CliContext context)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be removed; write nothing." };
        var json = JsonOption();
        var command = new Command(
            "reap",
            "Remove the host and neighbour leases of dead processes; print what was removed and which hosts and neighbour "
            + "entries were left without any lease. Leases whose process cannot be judged here (another pid namespace) are kept and listed.")
        {
            dryRun, json,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var report = manager.ReapStaleLeases(parseResult.GetValue(dryRun));
            if (parseResult.GetValue(json))
            {
                context.WriteLine(ReapJson(report));
            }
            else
            {
                WriteReport(context.Operator, report);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Unlock(CliContext context)
    {
        var target = new Argument<string>("target")
        {
            Description = "A router name, or a lock name as 'locks' prints it (e.g. tsim-router-r1, tsim-hosts-registry).",
        };
        var force = new Option<bool>("--force") { Description = "Required: confirms that the holder is gone." };
        var noRecordOk = new Option<bool>("--no-record-ok")
        {
            Description = "Also required when the lock is held without a usable owner record: confirms that no process of "
                + "it is running, paused or stopped (without it, unlock prints the risk and refuses).",
        };
        var json = JsonOption();
        var command = new Command(
            "unlock",
            "Operator override: free a router or registry lock whose holder died without a usable owner record. Prints UNLOCKED, or "
            + "NOT_HELD (exit 1). Refuses (exit 2) while the recorded owner is alive or of another pid namespace, and, without "
            + "--no-record-ok, while the lock has no usable owner record. Creates no semaphore.")
        {
            target, force, noRecordOk, json,
        };
        command.SetAction(parseResult => parseResult.GetValue(force)
            ? ForceUnlock(context, parseResult, target, parseResult.GetValue(noRecordOk), parseResult.GetValue(json))
            : context.Run(() => throw new InvalidOperationException(
                "unlock frees a lock that another process may still hold, and a holder that writes no owner record (a Python "
                + "process) cannot be told from a dead one. Check 'tsim-registry locks' first, then repeat with --force.")));
        return command;
    }

    private static int ForceUnlock(CliContext context, ParseResult parseResult, Argument<string> targetArgument, bool noRecordOk, bool json) =>
        context.Run(parseResult, manager =>
        {
            var target = parseResult.GetRequiredValue(targetArgument);
            var prefix = manager.SemaphorePrefix;

            // A lock name of this registry as 'locks' prints it; anything else names a router, as the Python client's
            // commands do. A router whose own name reads as a lock name is still reached by its full lock name.
            var isLockName = LockName.TryParse(prefix, target, out var lockName);
            if (!isLockName)
            {
                NameRules.ThrowIfInvalidName(target, "target");
                lockName = LockName.Router(prefix, target);
            }

            // Read before forcing (creating nothing), so that a lock that is not held stays untouched, a lock without a
            // record asks for its own confirmation, and the JSON can say whose lock was freed. The force re-checks it all.
            var before = manager.GetHeldLockStatus(lockName);
            if (before is null && !isLockName && IsLockOfSomePrefix(target))
            {
                throw new ArgumentException(
                    $"target '{target}' is not a lock of this registry (semaphore prefix '{prefix}': {LockName.HostsRegistry(prefix)}, "
                    + $"{LockName.HostLeases(prefix)}, {LockName.NeighborLeases(prefix)} or {prefix}-router-NAME), and no router of that name "
                    + "is held. A lock that 'locks' lists for another prefix is unlocked with that --prefix (or --config). Nothing was changed.");
            }

            if (before is { OwnerState: LockOwnerState.NoRecord })
            {
                if (!noRecordOk)
                {
                    throw new InvalidOperationException($"{NoRecordRisk(lockName)} Nothing was changed; repeat with --no-record-ok once you are sure.");
                }

                context.Error.WriteLine($"WARNING: {NoRecordRisk(lockName)} Forcing it free (--no-record-ok).");
                context.Error.Flush();
            }

            var unlocked = before is not null && manager.ForceReleaseLock(lockName.Value);
            if (json)
            {
                context.WriteLine(PythonJson.Indented(new SortedJsonObject()
                    .Add("lock", lockName.Value)
                    .Add("unlocked", unlocked)
                    .Add("result", unlocked ? "UNLOCKED" : "NOT_HELD")
                    .Add("previous_owner", unlocked && before is not null ? LockJson(before) : null)
                    .WriteTo));
            }
            else
            {
                context.WriteLine(unlocked ? "UNLOCKED" : "NOT_HELD");
            }

            return unlocked ? ExitCodes.Success : ExitCodes.NegativeOutcome;
        });

    /// <summary>
    /// Whether <paramref name="target"/>, which names no lock held in this registry, is the name of an existing lock of
    /// some prefix (it reads as one and its semaphore exists): most likely copied from what <c>locks</c> printed for
    /// another prefix. A router merely named like a lock (<c>edge-router-1</c>) has no such semaphore.
    /// </summary>
    private static bool IsLockOfSomePrefix(string target)
    {
        if (!LockName.LooksLikeLockName(target) || !LockName.TryParseSemaphoreName(target, out var semaphoreName))
        {
            return false;
        }

        try
        {
            using var semaphore = NamedSemaphore.TryOpenExisting(semaphoreName);
            return semaphore is not null;
        }
        catch (RegistryException)
        {
            return true; // It exists, but is not ours to open (another user's).
        }
    }

    /// <summary>
    /// What forcing a lock without a usable owner record risks: the override's quiet watch (docs/ARCHITECTURE.md, "Crash
    /// safety", operator override) cannot see a live holder paused for longer than it watches.
    /// </summary>
    private static string NoRecordRisk(LockName lockName) =>
        $"Lock '{lockName}' is held without a usable owner record. Its holder may be a Python process (which writes none), a "
        + "process killed between taking the lock and writing its record, or a live process paused right there (a long GC "
        + "pause, SIGSTOP, a frozen cgroup): forcing watches the lock for at least 0.5 s for a sign of life and cannot see a "
        + "holder paused longer than that, which would then go on holding it beside the next job.";

    private static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of a table." };

    /// <summary>One held lock, as <c>locks --json</c> and <c>status --json</c> print it.</summary>
    internal static SortedJsonObject LockJson(LockStatus l) => new SortedJsonObject()
        .Add("lock", l.LockName)
        .Add("router", l.RouterName)
        .Add("job_id", l.JobId)
        .Add("pid", l.Pid)
        .Add("owner_state", OperatorFormat.OwnerState(l.OwnerState))
        .AddTime("acquired_at", l.AcquiredAt);

    /// <summary>The held locks as <c>locks</c> and <c>status</c> show them.</summary>
    internal static Table LocksTable(OperatorOutput output, IReadOnlyList<LockStatus> locks)
    {
        var table = output.NewTable("LOCK", "ROUTER", "JOB", "PID", "ACQUIRED_AT", "OWNER");
        foreach (var l in locks)
        {
            table.AddRow(
                new Text(l.LockName),
                new Text(l.RouterName ?? "-"),
                new Text(l.JobId ?? "-"),
                new Text(OperatorFormat.Number(l.Pid)),
                new Text(OperatorFormat.Time(l.AcquiredAt)),
                new Text(OperatorFormat.OwnerState(l.OwnerState), OperatorFormat.OwnerStyle(l.OwnerState)));
        }

        return table;
    }

    private static void WriteReport(OperatorOutput output, StaleLeaseReport report)
    {
        if (report.HostLeases.Count + report.NeighborLeases.Count == 0)
        {
            output.WriteLine("no lease of a dead process");
        }
        else
        {
            output.Write(LeaseTable(output, report.DryRun ? "WOULD_REMOVE" : "REMOVED", report.HostLeases, report.NeighborLeases, LockOwnerState.Dead));
        }

        var unknownCount = report.UnknownHostLeases.Count + report.UnknownNeighborLeases.Count;
        if (unknownCount > 0)
        {
            output.Write(LeaseTable(output, "KEPT_UNKNOWN", report.UnknownHostLeases, report.UnknownNeighborLeases, LockOwnerState.Unknown));
        }

        var freed = report.DryRun ? "would be left without leases" : "left without leases";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hosts {freed}: {List(report.HostsReleased)}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"neighbour entries {freed}: {List(report.NeighborEntriesReleased)}"));
        var kept = unknownCount == 0
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $"; {unknownCount} kept whose process cannot be judged here (another pid namespace, or this /proc is not of this pid namespace)");
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{(report.DryRun ? "dry run, nothing written: " : string.Empty)}{report.HostLeases.Count} host lease(s), {report.NeighborLeases.Count} neighbour lease(s) of dead processes{kept}"));

        static string List(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);
    }

    /// <summary>Host and neighbour leases in one table; the first column says which, the pid is coloured by <paramref name="owner"/>.</summary>
    private static Table LeaseTable(OperatorOutput output, string heading, IReadOnlyList<StaleLease> hostLeases, IReadOnlyList<StaleLease> neighborLeases, LockOwnerState owner)
    {
        var table = output.NewTable(heading, "KEY", "RUN", "PID", "ALLOCATED_AT");
        foreach (var (kind, leases) in (ReadOnlySpan<(string, IReadOnlyList<StaleLease>)>)[("host lease", hostLeases), ("neighbour lease", neighborLeases)])
        {
            foreach (var lease in leases)
            {
                table.AddRow(
                    new Text(kind),
                    new Text(lease.Key),
                    new Text(lease.RunId),
                    new Text(OperatorFormat.Number(lease.Pid), OperatorFormat.OwnerStyle(owner)),
                    new Text(OperatorFormat.Time(lease.AllocatedAt)));
            }
        }

        return table;
    }

    private static string ReapJson(StaleLeaseReport report) => PythonJson.Indented(w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("dry_run", report.DryRun);
        WriteLeases(w, "host_leases", report.HostLeases);
        WriteStrings(w, "hosts_released", report.HostsReleased);
        WriteStrings(w, "neighbor_entries_released", report.NeighborEntriesReleased);
        WriteLeases(w, "neighbor_leases", report.NeighborLeases);
        WriteLeases(w, "unknown_host_leases", report.UnknownHostLeases);
        WriteLeases(w, "unknown_neighbor_leases", report.UnknownNeighborLeases);
        w.WriteEndObject();
    });

    /// <summary>Keys in ordinal order, like every JSON object the CLI prints.</summary>
    private static void WriteLeases(Utf8JsonWriter writer, string key, IReadOnlyList<StaleLease> leases)
    {
        writer.WriteStartArray(key);
        foreach (var lease in leases)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("allocated_at");
            writer.WriteRawValue(PythonJson.Float(OperatorFormat.UnixSeconds(lease.AllocatedAt)));
            writer.WriteString("key", lease.Key);
            writer.WriteNumber("pid", lease.Pid);
            writer.WriteString("run_id", lease.RunId);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string key, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(key);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
