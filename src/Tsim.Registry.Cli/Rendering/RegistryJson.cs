
namespace Tsim.Registry.Cli.Rendering;

/// <summary>
/// Renders the library's records in the shapes of the registry files (<c>hosts.json</c>, <c>host_leases.json</c>),
/// which is what the Python client prints, since it dumps those files' dictionaries.
/// </summary>
internal static class RegistryJson
{
    /// <summary><c>hosts</c>: every host in the shape of <c>hosts.json</c>.</summary>
    internal static string Hosts(IReadOnlyDictionary<string, HostInfo> hosts)
    {
        var root = new SortedJsonObject();
        foreach (var (name, host) in hosts)
        {
            root.Add(name, HostEntry(host));
        }

        return PythonJson.Indented(root.WriteTo);
    }

    /// <summary><c>host-info</c>: one host's entry on one line, or <c>null</c>.</summary>
    internal static string Host(HostInfo? host) => host is null ? "null" : PythonJson.Compact(HostEntry(host).WriteTo);

    /// <summary>
    /// <c>leases</c>: the shape of <c>host_leases.json</c>. A host asked for by name but without leases appears as
    /// <c>{}</c>, as in Python's <c>{host_name: leases.get(host_name, {})}</c>.
    /// </summary>
    internal static string Leases(IReadOnlyDictionary<string, HostLeases> leases, string? requestedHost)
    {
        var root = new SortedJsonObject();
        foreach (var (host, entry) in leases)
        {
            root.Add(host, new SortedJsonObject()
                .Add("router", entry.RouterName)
                .Add("leases", entry.Leases.Select(LeaseEntry)));
        }

        if (requestedHost is not null && !leases.ContainsKey(requestedHost))
        {
            root.Add(requestedHost, new SortedJsonObject());
        }

        return PythonJson.Indented(root.WriteTo);
    }

    /// <summary><c>lease-release</c>, <c>neighbor-release</c>: <c>{"ref_count": n, "should_delete": b}</c>.</summary>
    internal static string Release(LeaseRelease release) => PythonJson.Compact(new SortedJsonObject()
        .Add("ref_count", release.RefCount)
        .Add("should_delete", release.ShouldDelete)
        .WriteTo);

    /// <summary><c>owner</c>: the owner record on one line; times as Unix seconds, like every timestamp of the registry.</summary>
    internal static string Owner(RouterLockOwner owner) => PythonJson.Compact(new SortedJsonObject()
        .Add("router", owner.RouterName)
        .Add("job_id", owner.JobId)
        .Add("pid", owner.Pid)
        .Add("start_time", owner.StartTime)
        .AddFloat("acquired_at", UnixSeconds(owner.AcquiredAt))
        .WriteTo);

    private static SortedJsonObject HostEntry(HostInfo host)
    {
        // Additional fields first, so that the entry's own fields win should a file carry both.
        var entry = new SortedJsonObject();
        foreach (var (key, value) in host.AdditionalInfo)
        {
            entry.Add(key, value);
        }

        entry.Add("primary_ip", host.PrimaryIp)
            .Add("connected_to", host.ConnectedTo)
            .Add("mac_address", host.MacAddress)
            .Add("created_at", host.CreatedAt);
        if (host.RegisteredAt is { } registeredAt)
        {
            entry.AddFloat("registered_at_timestamp", UnixSeconds(registeredAt));
        }

        return entry;
    }

    private static SortedJsonObject LeaseEntry(HostLease lease) => new SortedJsonObject()
        .Add("run_id", lease.RunId)
        .Add("pid", lease.Pid)
        .Add("job_type", lease.JobType)
        .Add("dscp", lease.Dscp)
        .AddFloat("allocated_at", UnixSeconds(lease.AllocatedAt));

    /// <summary>
    /// Unix seconds as a float, like Python's <c>time.time()</c>, at the library's full (100 ns tick) precision, so a
    /// value Python stored (e.g. 1795707165.5577655) prints as Python prints it and not cut to milliseconds.
    /// </summary>
    private static double UnixSeconds(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;
}
