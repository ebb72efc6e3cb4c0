using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tsim.Registry.Storage;

/// <summary>
/// Counts of the canonical IP and MAC keys of one parsed hosts file (IP keys qualified by router in the
/// <see cref="IpCollisionScope.Router"/> scope), so that a registration learns in constant
/// time that nothing collides, where comparing against every host grew with the registry (a tenth of a registration's
/// CPU time at 1,000 hosts in a profile). Only a collision still walks the hosts, to name the one it collides with.
/// </summary>
/// <remarks>
/// Attached to the dictionary object itself: a file parsed anew gets a new dictionary and so a new index, and the index
/// can never describe another version of the file. Callers that add or remove hosts keep it up to date; a host count
/// that disagrees with the dictionary's rebuilds it, as a safety net.
/// </remarks>
internal sealed class HostKeyIndex
{
    private static readonly ConditionalWeakTable<Dictionary<string, HostRecord>, HostKeyIndex> s_indexes = new();

    private readonly Dictionary<string, int> _ips = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _macs = new(StringComparer.Ordinal);
    private int _hosts;
    private IpCollisionScope _scope;

    /// <summary>Gets the index of <paramref name="hosts"/> for the scope, building it on first use.</summary>
    internal static HostKeyIndex For(Dictionary<string, HostRecord> hosts, IpCollisionScope scope = IpCollisionScope.Global)
    {
        var index = s_indexes.GetValue(hosts, static _ => new HostKeyIndex());
        if (index._hosts != hosts.Count || index._scope != scope)
        {
            index._scope = scope;
            index.Rebuild(hosts);
        }

        return index;
    }

    /// <summary>Whether a registered host may have the IP address of <paramref name="candidate"/> in this scope.</summary>
    internal bool ContainsIp(HostRecord candidate) => _ips.ContainsKey(IpKeyOf(candidate));

    internal bool ContainsIp(string ipKey) => _ips.ContainsKey(ipKey);

    internal bool ContainsMac(string macKey) => _macs.ContainsKey(macKey);

    /// <summary>Counts a host just added to the dictionary.</summary>
    internal void Added(HostRecord record)
    {
        Increment(_ips, IpKeyOf(record));
        Increment(_macs, record.MacKey);
        _hosts++;
    }

    /// <summary>Uncounts a host just removed from the dictionary.</summary>
    internal void Removed(HostRecord record)
    {
        Decrement(_ips, IpKeyOf(record));
        Decrement(_macs, record.MacKey);
        _hosts--;
    }

    private void Rebuild(Dictionary<string, HostRecord> hosts)
    {
        _ips.Clear();
        _macs.Clear();
        _hosts = 0;
        foreach (var record in hosts.Values)
        {
            Added(record);
        }
    }

    /// <summary>
    /// The IP key in this scope: the canonical address, qualified by the router in the router scope. The separator cannot
    /// occur in a router name this library writes; a record written elsewhere that contains it can only make the index
    /// answer "maybe", and the walk over the hosts decides.
    /// </summary>
    private string IpKeyOf(HostRecord record) =>
        _scope == IpCollisionScope.Router ? string.Concat(record.ConnectedTo, "\0", record.IpKey) : record.IpKey;

    private static void Increment(Dictionary<string, int> counts, string key) =>
        CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _)++;

    private static void Decrement(Dictionary<string, int> counts, string key)
    {
        ref var count = ref CollectionsMarshal.GetValueRefOrNullRef(counts, key);
        if (!Unsafe.IsNullRef(ref count) && --count == 0)
        {
            counts.Remove(key);
        }
    }
}
