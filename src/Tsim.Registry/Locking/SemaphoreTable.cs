using Tsim.Registry.Security;

namespace Tsim.Registry.Locking;

/// <summary>
/// The semaphores one manager has open, by lock name: each opened (or created) once, checked against the access
/// policy, and kept open until the manager's resources close.
/// </summary>
internal sealed class SemaphoreTable : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, NamedSemaphore> _open = new(StringComparer.Ordinal);
    private readonly AccessPolicy _policy;
    private readonly LockRecovery _recovery;
    private readonly LockFiles _files;
    private readonly OwnerRecords _records;
    private readonly bool _markSharedWithPython;
    private readonly string? _prefix;
    private bool _bound;
    private bool _disposed;

    /// <param name="policy">Judges every semaphore before it is used.</param>
    /// <param name="recovery">Discards the records of a semaphore that was created anew.</param>
    /// <param name="files">The lock directory.</param>
    /// <param name="records">The owner records.</param>
    /// <param name="markSharedWithPython">
    /// Whether the manager is shared with Python: each semaphore is then marked as soon as it is opened, before the
    /// manager can take it, and until it is closed (<see cref="NamedSemaphore.MarkSharedWithPython"/>).
    /// </param>
    /// <param name="prefix">
    /// The semaphore prefix, bound to the lock directory before the first semaphore is opened (<see cref="PrefixBinding"/>);
    /// <see langword="null"/> binds nothing (a lock manager of tests and benchmarks).
    /// </param>
    internal SemaphoreTable(AccessPolicy policy, LockRecovery recovery, LockFiles files, OwnerRecords records, bool markSharedWithPython, string? prefix)
    {
        _prefix = prefix;
        _policy = policy;
        _recovery = recovery;
        _files = files;
        _records = records;
        _markSharedWithPython = markSharedWithPython;
    }

    /// <summary>Gets the lock's semaphore, opening or creating it (free) on first use.</summary>
    /// <exception cref="RegistryException">
    /// It cannot be opened, fails the access policy, or has a value above 1 (mutual exclusion already broken).
    /// </exception>
    internal NamedSemaphore GetOrOpen(LockName name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_open.TryGetValue(name.Value, out var semaphore))
            {
                return semaphore;
            }

            if (!_bound)
            {
                // Before this manager's first semaphore: one prefix, one lock directory (PrefixBinding).
                if (_prefix is not null)
                {
                    PrefixBinding.Bind(_prefix, _files.LockDirectory, _policy);
                }

                _bound = true;
            }

            semaphore = NamedSemaphore.OpenOrCreate(name.SemaphoreName, _policy.FileModeBits, _policy.GroupId, _policy, out var created);
            try
            {
                if (_markSharedWithPython)
                {
                    semaphore.MarkSharedWithPython();
                }

                if (created)
                {
                    // A new semaphore makes every record of the old one stale (it was removed by hand or by a tool).
                    _recovery.DiscardStaleRecord(name);
                }

                if (semaphore.GetValue() > 1)
                {
                    throw new RegistryException(
                        $"Semaphore '{name.SemaphoreName}' has the value {semaphore.GetValue()}: more than one process can enter at once, so mutual exclusion is already broken " +
                        $"(someone posted without holding it). Stop every job runner of this registry, then remove {name.SemaphoreFilePath} and its owner record ({_files.OwnerRecordPath(name)} or {_files.SlotPath(name)}); the next acquire recreates them.");
                }
            }
            catch
            {
                semaphore.Dispose();
                throw;
            }

            _open.Add(name.Value, semaphore);
            return semaphore;
        }
    }

    /// <summary>
    /// Opens the semaphore if it exists, without keeping it and without creating it (read-only commands), under the
    /// same checks as an acquisition: a squatter's semaphore gets no answer either.
    /// </summary>
    internal NamedSemaphore? TryOpenExisting(LockName name) => NamedSemaphore.TryOpenExisting(name.SemaphoreName, _policy);

    /// <summary>Gets the lock's semaphore if this table has it open already.</summary>
    internal NamedSemaphore? TryGetOpen(LockName name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _open.GetValueOrDefault(name.Value);
        }
    }

    /// <summary>Closes every semaphore; called only once no operation uses them any more.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var semaphore in _open.Values)
            {
                semaphore.Dispose();
            }

            _open.Clear();
        }
    }
}
