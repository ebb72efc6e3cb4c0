using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tsim.Registry.Cli.Rendering;

namespace Tsim.Registry.Cli.Commands;

/// <summary>
/// <c>status</c>: the whole registry at a glance for an operator: hosts, leases with whether their process lives, held
/// locks with their owners, and the stale entries (<c>reap</c> and <c>unlock</c> material) flagged. Writes nothing.
/// </summary>
internal static class StatusCommand
{
    private const string Alive = "alive";
    private const string Dead = "dead";

    /// <summary>A lease whose process cannot be judged from here (another pid namespace): never reaped from here.</summary>
    private const string Unknown = "unknown";

    /// <summary>A lease whose liveness could not be checked (the lease locks timed out).</summary>
    private const string Unchecked = "unchecked";

    internal static IEnumerable<Command> Create(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables." };
        var command = new Command(
            "status",
            "Show hosts, leases (with whether the process holding each is alive, dead, or unknown: of another pid namespace), held locks (with owner job, pid, since, and "
            + "whether the owner is alive) and flag stale entries: leases of dead processes ('reap') and locks of dead owners "
            + "('unlock'). Read-only; exit 0.")
        {
            json,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var snapshot = Snapshot.Take(manager);
            if (parseResult.GetValue(json))
            {
                context.WriteLine(Json(manager, snapshot));
            }
            else
            {
                WriteTables(context.Operator, manager, snapshot);
            }

            return ExitCodes.Success;
        }));
        return [command];
    }

    private static void WriteTables(OperatorOutput output, RegistryManager manager, Snapshot snapshot)
    {
        output.WriteLine(
            $"registry {manager.RegistryDirectory} ({Path.GetFileName(manager.HostsFilePath)}, {Path.GetFileName(manager.HostLeasesFilePath)}, {Path.GetFileName(manager.NeighborLeasesFilePath)}), " +
            $"locks {manager.LockDirectory}, semaphore prefix {manager.SemaphorePrefix}, IP scope {OperatorFormat.IpScope(manager.IpCollisionScope)}",
            new Style(Color.Grey));

        Section(output, "hosts", snapshot.Hosts.Count);
        if (snapshot.Hosts.Count > 0)
        {
            var hosts = output.NewTable("NAME", "IP", "MAC", "ROUTER", "LEASES");
            foreach (var host in snapshot.Hosts.Values.OrderBy(h => h.Name, StringComparer.Ordinal))
            {
                hosts.AddRow(host.Name, host.PrimaryIp, host.MacAddress, host.ConnectedTo, snapshot.LeaseCount(host.Name).ToString(CultureInfo.InvariantCulture));
            }

            output.Write(hosts);
        }

        var leaseRows = snapshot.LeaseRows().ToList();
        Section(output, "leases", leaseRows.Count);
        if (leaseRows.Count > 0)
        {
            var leases = output.NewTable("HOST", "ROUTER", "RUN", "PID", "JOB_TYPE", "DSCP", "ALLOCATED_AT", "HOLDER");
            foreach (var (host, router, lease, holder) in leaseRows)
            {
                leases.AddRow(
                    new Text(host),
                    new Text(router ?? "-"),
                    new Text(lease.RunId),
                    new Text(lease.Pid.ToString(CultureInfo.InvariantCulture)),
                    new Text(lease.JobType ?? "-"),
                    new Text(OperatorFormat.Number(lease.Dscp)),
                    new Text(OperatorFormat.Time(lease.AllocatedAt)),
                    new Text(holder, HolderStyle(holder)));
            }

            output.Write(leases);
        }

        Section(output, "locks held", snapshot.Locks.Count);
        if (snapshot.Locks.Count > 0)
        {
            output.Write(RecoveryCommands.LocksTable(output, snapshot.Locks));
        }

        var stale = snapshot.StaleLines().ToList();
        Section(output, "stale", stale.Count);
        foreach (var line in stale)
        {
            output.WriteLine(line, new Style(Color.Red));
        }

        if (snapshot.StaleCheckError is { } error)
        {
            output.WriteLine($"leases not checked for dead processes: {error}", new Style(Color.Yellow));
        }

        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{snapshot.Hosts.Count} host(s), {leaseRows.Count} lease(s), {snapshot.Locks.Count} lock(s) held, {stale.Count} stale");
        output.WriteLine(
            stale.Count == 0 ? summary : summary + ": 'tsim-registry reap' removes dead leases, 'tsim-registry unlock NAME --force' frees a dead owner's lock",
            new Style(stale.Count == 0 ? Color.Green : Color.Red, decoration: Decoration.Bold));
    }

    /// <summary>A section heading: a rule on a terminal, a greppable <c>== name (n) ==</c> line when redirected.</summary>
    private static void Section(OperatorOutput output, string name, int count)
    {
        var title = string.Create(CultureInfo.InvariantCulture, $"{name} ({count})");
        if (output.IsTerminal)
        {
            output.Write(new Rule($"[bold]{Markup.Escape(title)}[/]") { Justification = Justify.Left });
        }
        else
        {
            output.WriteLine($"== {title} ==");
        }

        if (count == 0 && name != "stale")
        {
            output.WriteLine("none", new Style(Color.Grey));
        }
    }

    private static Style HolderStyle(string holder) => holder switch
    {
        Alive => OperatorFormat.OwnerStyle(LockOwnerState.Alive),
        Dead => OperatorFormat.OwnerStyle(LockOwnerState.Dead),
        _ => OperatorFormat.OwnerStyle(LockOwnerState.Unknown),
    };

    private static string Json(RegistryManager manager, Snapshot snapshot) => PythonJson.Indented(new SortedJsonObject()
        .Add("registry_dir", manager.RegistryDirectory)
        .Add("lock_dir", manager.LockDirectory)
        .Add("prefix", manager.SemaphorePrefix)
        .Add("registry_files", new SortedJsonObject()
            .Add("hosts", manager.HostsFilePath)
            .Add("host_leases", manager.HostLeasesFilePath)
            .Add("neighbor_leases", manager.NeighborLeasesFilePath))
        .Add("ip_collision_scope", OperatorFormat.IpScope(manager.IpCollisionScope))
        .Add("hosts", snapshot.Hosts.Values.OrderBy(h => h.Name, StringComparer.Ordinal).Select(h => new SortedJsonObject()
            .Add("name", h.Name)
            .Add("primary_ip", h.PrimaryIp)
            .Add("mac_address", h.MacAddress)
            .Add("connected_to", h.ConnectedTo)
            .Add("lease_count", snapshot.LeaseCount(h.Name))))
        .Add("leases", snapshot.LeaseRows().Select(row => new SortedJsonObject()
            .Add("host", row.Host)
            .Add("router", row.Router)
            .Add("run_id", row.Lease.RunId)
            .Add("pid", row.Lease.Pid)
            .Add("job_type", row.Lease.JobType)
            .Add("dscp", row.Lease.Dscp)
            .AddTime("allocated_at", row.Lease.AllocatedAt)
            .Add("holder", row.Holder)))
        .Add("locks", snapshot.Locks.Select(l => RecoveryCommands.LockJson(l).Add("stale", l.OwnerState == LockOwnerState.Dead)))
        .Add("stale", new SortedJsonObject()
            .Add("host_leases", (snapshot.Stale?.HostLeases ?? []).Select(StaleLeaseJson))
            .Add("neighbor_leases", (snapshot.Stale?.NeighborLeases ?? []).Select(StaleLeaseJson))
            .Add("locks", snapshot.DeadLocks.Select(RecoveryCommands.LockJson))
            .Add("count", snapshot.StaleCount)
            .Add("check_error", snapshot.StaleCheckError))
        .WriteTo);

    private static SortedJsonObject StaleLeaseJson(StaleLease lease) => new SortedJsonObject()
        .Add("key", lease.Key)
        .Add("run_id", lease.RunId)
        .Add("pid", lease.Pid)
        .AddTime("allocated_at", lease.AllocatedAt);

    /// <summary>What <c>status</c> read: each part is one library call, so the parts are each consistent, not jointly.</summary>
    private sealed record Snapshot(
        IReadOnlyDictionary<string, HostInfo> Hosts,
        IReadOnlyDictionary<string, HostLeases> Leases,
        IReadOnlyList<LockStatus> Locks,
        StaleLeaseReport? Stale,
        string? StaleCheckError)
    {
        internal IEnumerable<LockStatus> DeadLocks => Locks.Where(l => l.OwnerState == LockOwnerState.Dead);

        internal int StaleCount => (Stale?.HostLeases.Count ?? 0) + (Stale?.NeighborLeases.Count ?? 0) + DeadLocks.Count();

        internal static Snapshot Take(RegistryManager manager)
        {
            // Locks first: they are read without taking any lock, so they show even when a registry lock is wedged.
            var locks = manager.ListHeldLocks();
            var hosts = manager.ListAllHosts();
            var leases = manager.ListHostLeases();
            try
            {
                // The only way to judge a lease's process as the library does (pid, start time, pid namespace); a dry
                // run writes nothing but takes the lease locks.
                return new Snapshot(hosts, leases, locks, manager.ReapStaleLeases(dryRun: true), null);
            }
            catch (RegistryLockTimeoutException ex)
            {
                // A wedged lease lock is exactly when an operator runs status: show the rest and say what is missing.
                return new Snapshot(hosts, leases, locks, null, ex.Message);
            }
        }

        internal int LeaseCount(string host) => Leases.TryGetValue(host, out var entry) ? entry.Leases.Count : 0;

        internal IEnumerable<(string Host, string? Router, HostLease Lease, string Holder)> LeaseRows()
        {
            var dead = (Stale?.HostLeases ?? []).Select(l => (l.Key, l.RunId, l.Pid)).ToHashSet();
            var unknown = (Stale?.UnknownHostLeases ?? []).Select(l => (l.Key, l.RunId, l.Pid)).ToHashSet();
            foreach (var (host, entry) in Leases.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                foreach (var lease in entry.Leases)
                {
                    var holder = Stale is null ? Unchecked
                        : dead.Contains((host, lease.RunId, lease.Pid)) ? Dead
                        : unknown.Contains((host, lease.RunId, lease.Pid)) ? Unknown
                        : Alive;
                    yield return (host, entry.RouterName, lease, holder);
                }
            }
        }

        internal IEnumerable<string> StaleLines()
        {
            foreach (var lease in Stale?.HostLeases ?? [])
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"host lease {lease.Key}: run {lease.RunId}, pid {lease.Pid} is dead (reap)");
            }

            foreach (var lease in Stale?.NeighborLeases ?? [])
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"neighbour lease {lease.Key}: run {lease.RunId}, pid {lease.Pid} is dead (reap)");
            }

            foreach (var l in DeadLocks)
            {
                yield return string.Create(
                    CultureInfo.InvariantCulture,
                    $"lock {l.LockName}: owner job {l.JobId}, pid {l.Pid} is dead (unlock {l.RouterName ?? l.LockName} --force)");
            }
        }
    }
}
