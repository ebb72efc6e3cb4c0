using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Storage;

namespace Tsim.Registry.Locking;

/// <summary>
/// Where each lock's owner record lives, and the one way every part of the library writes, clears and reads it.
/// </summary>
/// <remarks>
/// <para>
/// Every record lives in an <see cref="OwnerRecordSlot"/>, a mapped page written without a system call.
/// </para>
/// <para>
/// Router locks of a registry shared with Python (<see cref="RegistryManagerOptions.SharedWithPython"/>) also keep
/// the compatibility contract: the lock file <c>LOCKDIR/LOCKNAME</c> exists exactly while the router is held, because
/// that is what Python's <c>is_router_locked</c> and <c>wait_for_router</c> look at. It is a hard link of the
/// manager's <see cref="PresenceFile"/>: made after the slot is written and removed before the slot is cleared, so
/// that whenever the lock file exists a record of the hold does too (or the holder died between the two steps, and
/// the record is recovered as any other).
/// </para>
/// <para>
/// Readers look in the slot first and then in the lock file, where older versions of this library wrote router
/// records, so that such holders are still seen (and recovered when they die).
/// </para>
/// </remarks>
internal sealed class OwnerRecords : IDisposable
{
    private readonly Dictionary<string, OwnerRecordSlot> _slots = new(StringComparer.Ordinal);
    private readonly Lock _slotsGate = new();
    private const int MaxCachedPrefixes = 64;

    private readonly ConcurrentDictionary<(string Lock, string Job, int Pid, string? Semaphore), byte[]> _prefixes = new();
    private readonly LockFiles _files;
    private readonly PresenceFile? _presence;
    private bool _disposed;

    /// <summary>Initializes the owner records of one lock directory.</summary>
    /// <param name="files">The lock directory.</param>
    /// <param name="routerLockFiles">
    /// Whether router locks keep Python's lock file (<see cref="RegistryManagerOptions.SharedWithPython"/>).
    /// </param>
    /// <param name="logger">Where failures that do not fail the caller are reported.</param>
    internal OwnerRecords(LockFiles files, bool routerLockFiles, ILogger? logger = null)
    {
        _files = files;
        _presence = routerLockFiles ? new PresenceFile(files, logger ?? NullLogger.Instance) : null;
    }

    /// <summary>
    /// Writes the holder's record, then makes a router's lock file in a registry shared with Python. Called right
    /// after the semaphore was acquired.
    /// </summary>
    /// <exception cref="RegistryException">The slot or the lock file cannot be made; no record is left behind.</exception>
    internal void Write(LockName name, OwnerRecord record)
    {
        var slot = GetSlot(name, create: true)!;
        Span<byte> json = stackalloc byte[OwnerRecordSlot.MaxRecordLength];
        slot.Write(json[..Encode(record, json)]);
        if (HasLockFile(name))
        {
            try
            {
                _presence!.LinkAs(name);
            }
            catch
            {
                slot.Clear(); // The caller posts the semaphore: a record must never outlive its hold.
                throw;
            }
        }
    }

    /// <summary>
    /// Removes the holder's own record: first a router's lock file, then the slot's record. Called right before the
    /// semaphore is posted.
    /// </summary>
    /// <returns><see langword="false"/> when the lock file could not be removed (the lock must then stay held).</returns>
    internal bool Remove(LockName name)
    {
        if (HasLockFile(name) && !_presence!.TryRemoveLockFile(name))
        {
            return false;
        }

        GetSlot(name, create: true)!.Clear();
        return true;
    }

    /// <summary>
    /// Removes whatever record a lock has, in either place: for recovery of a dead holder and for the operator
    /// override, which do not know how the holder was configured.
    /// </summary>
    /// <returns><see langword="false"/> when a record exists and could not be removed.</returns>
    internal bool Discard(LockName name)
    {
        // The lock file first, as a release does: a discarder killed in between leaves the slot's record of the dead
        // holder, which the next waiter recovers; the other way round it would leave a lock file no record explains.
        // Deleting a lock file that is not there succeeds (File.Delete), so this needs no existence check of its own.
        if (name.IsRouter && !_files.DeleteOwnerRecord(name))
        {
            return false;
        }

        GetSlot(name, create: false)?.Clear();
        return true;
    }

    /// <summary>
    /// Reads the lock's record from its slot, or for a router without one from its lock file (an older version's
    /// record); returns <see langword="null"/> when there is none or it cannot be used.
    /// </summary>
    internal OwnerRecord? Read(LockName name)
    {
        if (GetSlot(name, create: false) is { } slot && slot.Read() is { Usable: true, Record.Length: > 0 } content)
        {
            return Parse(content.Record);
        }

        return name.IsRouter ? _files.ReadOwnerRecord(name) : null;
    }

    /// <summary>
    /// Takes a fingerprint of the lock's record in both places: two equal snapshots mean no holder wrote or removed
    /// a record in between (the operator override watches this before it frees a lock).
    /// </summary>
    internal RecordSnapshot Snapshot(LockName name)
    {
        var file = name.IsRouter ? NoFollowFile.TryReadAllBytes(_files.OwnerRecordPath(name)) : null;
        var slot = GetSlot(name, create: false)?.Read();
        return new RecordSnapshot(file, slot?.Sequence ?? -1, slot is { Usable: true, Record.Length: 0 } or null);
    }

    /// <summary>Gets the lock's slot, creating its file on first use (its header carries the gate word: <see cref="LockGate"/>).</summary>
    /// <exception cref="RegistryException">The slot file cannot be created or mapped.</exception>
    internal OwnerRecordSlot Slot(LockName name) => GetSlot(name, create: true)!;

    /// <summary>Unmaps every slot this instance opened (the slot files stay) and removes the presence file.</summary>
    public void Dispose()
    {
        _presence?.Dispose();
        lock (_slotsGate)
        {
            _disposed = true;
            foreach (var slot in _slots.Values)
            {
                slot.Dispose();
            }

            _slots.Clear();
        }
    }

    /// <summary>
    /// Formats a record as the serialiser would (only the time stamp's spelling differs, which parses the same): the
    /// part before the time stamp is serialised once per lock and job, because a registry lock writes one record per
    /// call and the serialiser's own formatting was a visible part of a lease cycle. The records written here are the
    /// lock manager's own, which carry no unknown fields (<see cref="OwnerRecord.Extra"/>).
    /// </summary>
    private int Encode(OwnerRecord record, Span<byte> destination)
    {
        var key = (record.Lock, record.JobId, record.Pid, record.Semaphore);
        if (!_prefixes.TryGetValue(key, out var prefix))
        {
            // "acquired_at" is the record's last property; everything before its value is the same for every hold.
            var template = JsonSerializer.SerializeToUtf8Bytes(
                new OwnerRecord
                {
                    Lock = record.Lock,
                    JobId = record.JobId,
                    Pid = record.Pid,
                    StartTime = record.StartTime,
                    PidNamespace = record.PidNamespace,
                    Semaphore = record.Semaphore,
                },
                RegistryJsonContext.Default.OwnerRecord);
            prefix = template.AsSpan(0, template.AsSpan().LastIndexOf("\"acquired_at\":\""u8) + "\"acquired_at\":\""u8.Length).ToArray();
            if (_prefixes.Count >= MaxCachedPrefixes)
            {
                _prefixes.Clear(); // Router jobs come and go; only the registry locks' few prefixes are worth keeping.
            }

            _prefixes[key] = prefix;
        }

        prefix.CopyTo(destination);
        var length = prefix.Length;
        if (!record.AcquiredAt.TryFormat(destination[length..], out var written, "O", System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("An owner record's time stamp did not fit its slot.");
        }

        length += written;
        "\"}"u8.CopyTo(destination[length..]);
        return length + 2;
    }

    private static OwnerRecord? Parse(byte[] json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, RegistryJsonContext.Default.OwnerRecord);
        }
        catch (JsonException)
        {
            return null; // Someone else's shape: "unknown owner", which never triggers recovery.
        }
    }

    private bool HasLockFile(LockName name) => name.IsRouter && _presence is not null;

    private OwnerRecordSlot? GetSlot(LockName name, bool create)
    {
        lock (_slotsGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_slots.TryGetValue(name.Value, out var slot))
            {
                return slot;
            }

            slot = OwnerRecordSlot.Open(_files.SlotPath(name), _files.Policy, create);
            if (slot is not null)
            {
                _slots.Add(name.Value, slot);
            }

            return slot;
        }
    }
}
