namespace Tsim.Registry.Locking;

/// <summary>
/// Which locks one manager holds, for which job, and the lock order between them: a release by anyone but the holder
/// finds nothing here and posts nothing (a stray post would raise the semaphore above 1 and let two processes in).
/// </summary>
/// <remarks>
/// Lock order (docs/ARCHITECTURE.md, "Deviations", 6): the three registry locks are leaf locks, taken only inside one
/// library call, and when one call needs two of them it takes them in the specification's order (hosts registry,
/// then host leases). Router locks are the only locks a caller holds across calls; a job that holds routers may only
/// add routers that sort after every router it holds, so two jobs can never wait for each other in a cycle.
/// </remarks>
internal sealed class HeldLockTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HeldLock> _held = new(StringComparer.Ordinal);

    /// <summary>Gets a snapshot of the locks held.</summary>
    internal IReadOnlyList<HeldLock> Snapshot()
    {
        lock (_gate)
        {
            return [.. _held.Values];
        }
    }

    /// <summary>Finds which job holds a lock, if any.</summary>
    internal HeldLock? Find(LockName name)
    {
        lock (_gate)
        {
            return _held.GetValueOrDefault(name.Value);
        }
    }

    /// <summary>Gets the names of the registry locks held (for a log line).</summary>
    internal string[] RegistryLockNames()
    {
        lock (_gate)
        {
            return [.. _held.Values.Where(static h => !h.Name.IsRouter).Select(static h => h.Name.Value)];
        }
    }

    /// <summary>Checks that <paramref name="jobId"/> may take the routers <paramref name="requested"/>, in that order.</summary>
    /// <exception cref="LockRecursionException">The job already holds one of them.</exception>
    /// <exception cref="InvalidOperationException">The first of them sorts before a router the job holds.</exception>
    internal void EnsureLockOrder(ReadOnlySpan<LockName> requested, string jobId)
    {
        lock (_gate)
        {
            string? highestHeld = null;
            foreach (var held in _held.Values)
            {
                if (!held.Name.IsRouter || !string.Equals(held.JobId, jobId, StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (var name in requested)
                {
                    if (name == held.Name)
                    {
                        throw new LockRecursionException(
                            $"Job '{jobId}' already holds the lock of router '{name.RouterName}'; acquiring it again would wait for itself forever.");
                    }
                }

                if (highestHeld is null || string.CompareOrdinal(held.Name.Value, highestHeld) > 0)
                {
                    highestHeld = held.Name.Value;
                }
            }

            if (highestHeld is not null && string.CompareOrdinal(requested[0].Value, highestHeld) < 0)
            {
                throw new InvalidOperationException(
                    $"Job '{jobId}' holds router lock '{highestHeld}' and asks for '{requested[0].Value}', which sorts before it. " +
                    "Router locks must be taken in ordinal order of their names so that two jobs can never wait for each other; " +
                    "release the held routers and take all of them at once with AllRouterLocks or AcquireAllRouterLocksAtomic.");
            }
        }
    }

    /// <summary>
    /// Records a lock just acquired, unless <paramref name="lifetime"/> refuses new holds (disposed or exiting).
    /// </summary>
    /// <remarks>
    /// The lifetime is read under this table's lock, and Dispose and exit mark the lifetime before they take the
    /// routers out of this table: so a hold is either recorded before they look, and released by them, or refused here.
    /// </remarks>
    /// <returns><see langword="false"/> when refused; the caller still holds the semaphore and must give it back.</returns>
    internal bool TryAdd(HeldLock held, LockLifetime lifetime)
    {
        lock (_gate)
        {
            if (lifetime.IsDisposed || lifetime.IsExiting)
            {
                return false;
            }

            _held[held.Name.Value] = held;
            return true;
        }
    }

    /// <summary>Takes out the lock if <paramref name="jobId"/> holds it.</summary>
    /// <param name="name">The lock.</param>
    /// <param name="jobId">The job that claims to hold it.</param>
    /// <param name="held">The hold taken out, or the hold of another job (left in place), or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when taken out: the caller now releases it.</returns>
    internal bool TryRemove(LockName name, string jobId, out HeldLock? held)
    {
        lock (_gate)
        {
            if (!_held.TryGetValue(name.Value, out held) || !string.Equals(held.JobId, jobId, StringComparison.Ordinal))
            {
                return false;
            }

            _held.Remove(name.Value);
            return true;
        }
    }

    /// <summary>Takes out exactly this hold; a later hold of the same lock, even by the same job, stays.</summary>
    /// <returns><see langword="true"/> when taken out: the caller now releases it.</returns>
    internal bool TryRemove(HeldLock held)
    {
        lock (_gate)
        {
            return _held.TryGetValue(held.Name.Value, out var current) && ReferenceEquals(current, held) && _held.Remove(held.Name.Value);
        }
    }

    /// <summary>Takes out every router lock held, for whichever job (Dispose and exit release them).</summary>
    internal List<HeldLock> RemoveRouters()
    {
        lock (_gate)
        {
            var routers = _held.Values.Where(static h => h.Name.IsRouter).ToList();
            foreach (var held in routers)
            {
                _held.Remove(held.Name.Value);
            }

            return routers;
        }
    }
}
