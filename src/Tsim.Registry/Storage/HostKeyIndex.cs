using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tsim.Registry.Storage;

/// <summary>
/// Counts of the canonical IP and MAC keys of one parsed <c>hosts.json</c>, so that a registration learns in constant
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

    /// <summary>Gets the index of <paramref name="hosts"/>, building it on first use.</summary>
    internal static HostKeyIndex For(Dictionary<string, HostRecord> hosts)
    {
        var index = s_indexes.GetValue(hosts, static _ => new HostKeyIndex());
        if (index._hosts != hosts.Count)
        {
            index.Rebuild(hosts);
        }

        return index;
    }

    internal bool ContainsIp(string ipKey) => _ips.ContainsKey(ipKey);

    internal bool ContainsMac(string macKey) => _macs.ContainsKey(macKey);

    /// <summary>Counts a host just added to the dictionary.</summary>
    internal void Added(HostRecord record)
    {
        Increment(_ips, record.IpKey);
        Increment(_macs, record.MacKey);
        _hosts++;
    }

    /// <summary>Uncounts a host just removed from the dictionary.</summary>
    internal void Removed(HostRecord record)
    {
        Decrement(_ips, record.IpKey);
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
