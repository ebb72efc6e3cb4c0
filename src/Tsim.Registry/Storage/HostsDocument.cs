namespace Tsim.Registry.Storage;

/// <summary>
/// The hosts file (<c>hosts.json</c>, tsim's <c>host_registry.json</c>): the registered hosts, with the rule that no two
/// share a name, a MAC address, or an IP address (in the whole registry, or on one router: <see cref="IpCollisionScope"/>).
/// The uniqueness check and the write happen in one <see cref="RegistryDocument{T}.Update{TResult}"/>, under the
/// hosts lock, so two registrants (C# or Python) can never both register colliding hosts.
/// </summary>
internal sealed class HostsDocument
{
    private readonly RegistryDocument<Dictionary<string, HostRecord>> _document;
    private readonly IpCollisionScope _ipScope;

    internal HostsDocument(RegistryDocument<Dictionary<string, HostRecord>> document, IpCollisionScope ipScope = IpCollisionScope.Global)
    {
        _document = document;
        _ipScope = ipScope;
    }

    /// <summary>Gets which hosts a new host's IP must differ from, as fixed when the document was built.</summary>
    internal IpCollisionScope IpScope => _ipScope;

    /// <summary>Gets the file with its lock.</summary>
    internal RegistryDocument<Dictionary<string, HostRecord>> Document => _document;

    /// <summary>Reads every host without the lock (a private copy).</summary>
    internal Dictionary<string, HostRecord> Snapshot() => _document.Snapshot();

    /// <summary>Registers a host unless it collides with a registered one; nothing is written on a collision.</summary>
    /// <returns>Registered, or the first collision found, with its reason.</returns>
    internal HostRegistrationResult TryAdd(string hostName, HostRecord record) => _document.Update(hosts =>
    {
        if (FindCollision(hosts, hostName, record) is { } collision)
        {
            return Edit.Unchanged(collision);
        }

        var index = HostKeyIndex.For(hosts, _ipScope); // Before the change: it counts the hosts it has seen.
        hosts[hostName] = record;
        index.Added(record);
        return Edit.Changed(HostRegistrationResult.Registered);
    });

    /// <summary>Removes a host.</summary>
    /// <returns>Whether it was registered (nothing is written when it was not).</returns>
    internal bool Remove(string hostName) => _document.Update(hosts =>
    {
        var index = HostKeyIndex.For(hosts, _ipScope); // Before the change: it counts the hosts it has seen.
        if (!hosts.Remove(hostName, out var removed))
        {
            return Edit.Unchanged(false);
        }

        index.Removed(removed);
        return Edit.Changed(true);
    });

    /// <summary>
    /// Runs <paramref name="use"/> on a host (or <see langword="null"/>) while the hosts lock is held, so that the host
    /// cannot be unregistered until <paramref name="use"/> returns; writes nothing.
    /// </summary>
    internal TResult WithHostLocked<TResult>(string hostName, Func<HostRecord?, TResult> use) =>
        _document.Update(hosts => Edit.Unchanged(use(hosts.GetValueOrDefault(hostName))));

    private HostRegistrationResult? FindCollision(Dictionary<string, HostRecord> hosts, string hostName, HostRecord candidate)
    {
        if (hosts.ContainsKey(hostName))
        {
            return HostRegistrationResult.NameTaken(hostName);
        }

        // Compared in canonical form, so entries written by Python in another spelling (upper-case MAC, '-'
        // separators, a different prefix length) still collide. The index answers "no collision" at once; only a
        // collision walks the hosts, to name the first one it collides with.
        var ipKey = candidate.IpKey;
        var macKey = candidate.MacKey;
        var index = HostKeyIndex.For(hosts, _ipScope);
        if (!index.ContainsIp(candidate) && !index.ContainsMac(macKey))
        {
            return null;
        }

        foreach (var (name, record) in hosts)
        {
            if (record.IpKey == ipKey && (_ipScope == IpCollisionScope.Global || SameRouter(record, candidate)))
            {
                return HostRegistrationResult.IpTaken(ipKey, name, record.ConnectedTo, candidate.ConnectedTo, _ipScope);
            }

            if (record.MacKey == macKey)
            {
                return HostRegistrationResult.MacTaken(macKey, name);
            }
        }

        return null;
    }

    /// <summary>Whether two hosts hang off one router, compared as tsim compares <c>connected_to</c>: as written.</summary>
    internal static bool SameRouter(HostRecord a, HostRecord b) => string.Equals(a.ConnectedTo, b.ConnectedTo, StringComparison.Ordinal);
}
