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
        var router = new Argument<string>("target")
        {
            Description = "A router name, or a lock name as 'locks' prints it (e.g. tsim-router-r1, tsim-hosts-registry).",
        };
        var force = new Option<bool>("--force") { Description = "Required: confirms that the holder is gone." };
        var json = JsonOption();
        var command = new Command(
            "unlock",
            "Operator override: free a router or registry lock whose holder died without a usable owner record. Prints UNLOCKED, or "
            + "NOT_HELD (exit 1). Refuses (exit 2) while the recorded owner is alive or of another pid namespace.")
        {
            router, force, json,
        };
        command.SetAction(parseResult => parseResult.GetValue(force)
            ? ForceUnlock(context, parseResult, router, json)
            : context.Run(() => throw new InvalidOperationException(
                "unlock frees a lock that another process may still hold, and a holder that writes no owner record (a Python "
                + "process) cannot be told from a dead one. Check 'tsim-registry locks' first, then repeat with --force.")));
        return command;
    }

    private static int ForceUnlock(CliContext context, ParseResult parseResult, Argument<string> router, Option<bool> json) =>
        context.Run(parseResult, manager =>
        {
            var target = parseResult.GetRequiredValue(router);

            // A lock name of this registry as 'locks' prints it; anything else names a router, as the Python client's
            // commands do. A router whose own name reads as a lock name is still reached by its full lock name.
            var isLockName = LockName.TryParse(manager.SemaphorePrefix, target, out var parsed);

            // Read before forcing, so that the JSON can say whose lock was freed; the force itself re-checks the owner.
            var before = manager.ListHeldLocks().FirstOrDefault(l => isLockName ? l.LockName == parsed.Value : l.RouterName == target);
            var unlocked = isLockName ? manager.ForceReleaseLock(target) : manager.ForceReleaseRouterLock(target);

            // The router name has passed ForceReleaseRouterLock's checks by now.
            var lockName = isLockName ? parsed : LockName.Router(manager.SemaphorePrefix, target);
            if (parseResult.GetValue(json))
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
