using Tsim.Registry.Locking;

namespace Tsim.Registry.Storage;

/// <summary>
/// A lease file (<c>host_leases.json</c> or <c>neighbor_leases.json</c>): entries keyed by host (or <c>HOST:IP</c>),
/// each with the list of leases that keep it alive. An entry whose last lease is released is removed, and the caller
/// is told so (the specification's <c>should_delete</c>).
/// </summary>
/// <typeparam name="TEntry">The entry of one key.</typeparam>
/// <typeparam name="TRecord">One lease.</typeparam>
internal sealed class LeaseDocument<TEntry, TRecord>
    where TEntry : class, ILeaseEntry<TRecord>
    where TRecord : class, ILeaseRecord
{
    private readonly RegistryDocument<Dictionary<string, TEntry>> _document;

    internal LeaseDocument(RegistryDocument<Dictionary<string, TEntry>> document) => _document = document;

    /// <summary>Gets the file with its lock.</summary>
    internal RegistryDocument<Dictionary<string, TEntry>> Document => _document;

    /// <summary>Reads every entry without the lock (a private copy).</summary>
    internal Dictionary<string, TEntry> Snapshot() => _document.Snapshot();

    /// <summary>Adds a lease to the entry of <paramref name="key"/>, creating the entry when it has none.</summary>
    /// <returns>The entry's lease count afterwards.</returns>
    internal int Add(string key, Func<TEntry> newEntry, TRecord lease) => _document.Update(entries =>
    {
        if (!entries.TryGetValue(key, out var entry))
        {
            entry = newEntry();
            entries[key] = entry;
        }

        entry.Leases.Add(lease);
        return Edit.Changed(entry.Leases.Count);
    });

    /// <summary>Removes the most recent lease of <paramref name="runId"/> on <paramref name="key"/>.</summary>
    /// <returns>The leases left and whether none is; <see langword="null"/> when the run holds none (nothing is written).</returns>
    internal LeaseRelease? Release(string key, string runId) => _document.Update(entries =>
    {
        var index = entries.TryGetValue(key, out var entry)
            ? entry.Leases.FindLastIndex(l => string.Equals(l.RunId, runId, StringComparison.Ordinal))
            : -1;
        if (index < 0)
        {
            return Edit.Unchanged<LeaseRelease?>(null);
        }

        entry!.Leases.RemoveAt(index);
        if (entry.Leases.Count == 0)
        {
            entries.Remove(key);
        }

        return Edit.Changed<LeaseRelease?>(new LeaseRelease(entry.Leases.Count, entry.Leases.Count == 0));
    });

    /// <summary>
    /// Removes every lease that <paramref name="judge"/> finds <see cref="OwnerLiveness.Dead"/>, and the entries left
    /// without a lease; leases it finds <see cref="OwnerLiveness.Unknown"/> stay and are reported. A dry run works on a
    /// private copy and writes nothing.
    /// </summary>
    /// <returns>The stale leases and the unknown ones with their keys, and the keys left without any lease.</returns>
    internal (List<(string Key, TRecord Lease)> Stale, List<(string Key, TRecord Lease)> Unknown, List<string> Released) RemoveStale(
        Func<TRecord, OwnerLiveness> judge, bool dryRun)
    {
        return dryRun ? _document.Inspect(Remove) : _document.Update(entries =>
        {
            var found = Remove(entries);
            return found.Stale.Count > 0 ? Edit.Changed(found) : Edit.Unchanged(found);
        });

        (List<(string Key, TRecord Lease)> Stale, List<(string Key, TRecord Lease)> Unknown, List<string> Released) Remove(Dictionary<string, TEntry> entries)
        {
            var stale = new List<(string Key, TRecord Lease)>();
            var unknown = new List<(string Key, TRecord Lease)>();
            var released = new List<string>();
            foreach (var (key, entry) in entries)
            {
                // One judgement per lease: a lease judged twice could die in between and be removed unreported.
                var removed = entry.Leases.RemoveAll(lease =>
                {
                    switch (judge(lease))
                    {
                        case OwnerLiveness.Dead:
                            stale.Add((key, lease));
                            return true;
                        case OwnerLiveness.Unknown:
                            unknown.Add((key, lease));
                            return false;
                        default:
                            return false;
                    }
                });
                if (removed > 0 && entry.Leases.Count == 0)
                {
                    released.Add(key);
                }
            }

            foreach (var key in released)
            {
                entries.Remove(key);
            }

            return (stale, unknown, released);
        }
    }
}
