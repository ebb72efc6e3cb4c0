using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tsim.Registry.Cli.Rendering;

namespace Tsim.Registry.Cli.Commands;

/// <summary>
/// <c>locks</c>, <c>reap</c>, <c>unlock</c>: what an operator needs after a job runner died (DESIGN.md §4 items 4 and 5).
/// Plain aligned text for people, <c>--json</c> for scripts.
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
            + "unknown (another pid namespace) or no-record (a Python holder, or a holder killed between its wait and its record).")
        {
            json,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var locks = manager.ListHeldLocks();
            context.WriteLine(parseResult.GetValue(json) ? LocksJson(locks) : LocksTable(locks));
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
            + "entries were left without any lease.")
        {
            dryRun, json,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var report = manager.ReapStaleLeases(parseResult.GetValue(dryRun));
            context.WriteLine(parseResult.GetValue(json) ? ReapJson(report) : ReapText(report));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Unlock(CliContext context)
    {
        var router = new Argument<string>("target")
        {
            Description = "A router name, or a lock name as 'locks' prints it (e.g. tsim-hosts-registry).",
        };
        var force = new Option<bool>("--force") { Description = "Required: confirms that the holder is gone." };
        var command = new Command(
            "unlock",
            "Operator override: free a router or registry lock whose holder died without a usable owner record. Prints UNLOCKED, or "
            + "NOT_HELD (exit 1). Refuses (exit 2) while the recorded owner is alive or of another pid namespace.")
        {
            router, force,
        };
        command.SetAction(parseResult => parseResult.GetValue(force)
            ? ForceUnlock(context, parseResult, router)
            : context.Run(() => throw new InvalidOperationException(
                "unlock frees a lock that another process may still hold, and a holder that writes no owner record (a Python "
                + "process) cannot be told from a dead one. Check 'tsim-registry locks' first, then repeat with --force.")));
        return command;
    }

    private static int ForceUnlock(CliContext context, ParseResult parseResult, Argument<string> router) =>
        context.Run(parseResult, manager =>
        {
            var target = parseResult.GetRequiredValue(router);
            // The three registry locks by name; anything else names a router, as the Python client's commands do.
            string[] registryLocks = ["hosts-registry", "host-leases", "neighbor-leases"];
            var unlocked = registryLocks.Any(l => target == $"{manager.SemaphorePrefix}-{l}")
                ? manager.ForceReleaseLock(target)
                : manager.ForceReleaseRouterLock(target);
            context.WriteLine(unlocked ? "UNLOCKED" : "NOT_HELD");
            return unlocked ? ExitCodes.Success : ExitCodes.NegativeOutcome;
        });

    private static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of a table." };

    private static string OwnerState(LockOwnerState state) => state switch
    {
        LockOwnerState.Alive => "alive",
        LockOwnerState.Dead => "dead",
        LockOwnerState.Unknown => "unknown",
        _ => "no-record",
    };

    private static string LocksTable(IReadOnlyList<LockStatus> locks)
    {
        if (locks.Count == 0)
        {
            return "no lock is held";
        }

        string[][] rows =
        [
            ["LOCK", "ROUTER", "JOB", "PID", "ACQUIRED_AT", "OWNER"],
            .. locks.Select(l => new[]
            {
                l.LockName,
                l.RouterName ?? "-",
                l.JobId ?? "-",
                l.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",
                l.AcquiredAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "-",
                OwnerState(l.OwnerState),
            }),
        ];
        return Table(rows);
    }

    private static string LocksJson(IReadOnlyList<LockStatus> locks) => PythonJson.Indented(w => new SortedJsonObject()
        .Add("locks", locks.Select(l =>
        {
            var entry = new SortedJsonObject()
                .Add("lock", l.LockName)
                .Add("router", l.RouterName)
                .Add("job_id", l.JobId)
                .Add("pid", l.Pid)
                .Add("owner_state", OwnerState(l.OwnerState));
            return l.AcquiredAt is { } acquiredAt ? entry.AddFloat("acquired_at", UnixSeconds(acquiredAt)) : entry.Add("acquired_at", (string?)null);
        }))
        .WriteTo(w));

    private static string ReapText(StaleLeaseReport report)
    {
        var verb = report.DryRun ? "would remove" : "removed";
        var text = new StringBuilder();
        foreach (var (kind, leases) in (ReadOnlySpan<(string, IReadOnlyList<StaleLease>)>)[("host lease", report.HostLeases), ("neighbour lease", report.NeighborLeases)])
        {
            foreach (var lease in leases)
            {
                text.Append(CultureInfo.InvariantCulture, $"{verb} {kind} {lease.Key}: run {lease.RunId}, pid {lease.Pid} (dead), allocated {lease.AllocatedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\n");
            }
        }

        var freed = report.DryRun ? "would be left without leases" : "left without leases";
        text.Append(CultureInfo.InvariantCulture, $"hosts {freed}: {List(report.HostsReleased)}\n");
        text.Append(CultureInfo.InvariantCulture, $"neighbour entries {freed}: {List(report.NeighborEntriesReleased)}\n");
        text.Append(CultureInfo.InvariantCulture, $"{(report.DryRun ? "dry run, nothing written: " : string.Empty)}{report.HostLeases.Count} host lease(s), {report.NeighborLeases.Count} neighbour lease(s) of dead processes");
        return text.ToString();

        static string List(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);
    }

    private static string ReapJson(StaleLeaseReport report) => PythonJson.Indented(w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("dry_run", report.DryRun);
        WriteLeases(w, "host_leases", report.HostLeases);
        WriteStrings(w, "hosts_released", report.HostsReleased);
        WriteStrings(w, "neighbor_entries_released", report.NeighborEntriesReleased);
        WriteLeases(w, "neighbor_leases", report.NeighborLeases);
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
            writer.WriteRawValue(PythonJson.Float(UnixSeconds(lease.AllocatedAt)));
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

    /// <summary>Left-aligned columns, two spaces apart, no trailing blanks.</summary>
    private static string Table(string[][] rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        return string.Join('\n', rows.Select(r =>
            string.Join("  ", r.Select((cell, c) => c == r.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd()));
    }

    /// <summary>Unix seconds with millisecond precision, as <see cref="RegistryJson"/> writes every registry time.</summary>
    private static double UnixSeconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;
}
