using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;

namespace Tsim.Registry.Locking;

/// <summary>
/// Releases the locks of one manager: only a hold the manager has (a release by anyone else posts nothing), record
/// first, then the post (see <see cref="LockHandover"/>).
/// </summary>
internal sealed class LockReleaser(LockFiles files, OwnerRecords records, SemaphoreTable semaphores, LockGates gates, HeldLockTable heldLocks, LockLifetime lifetime, ILogger logger, TimeProvider timeProvider)
{
    /// <summary>
    /// Releases a lock held by <paramref name="jobId"/>. Returns <see langword="false"/> and changes nothing when this
    /// manager does not hold it for that job, or (router locks) when the manager was disposed, which released them.
    /// A registry lock is released even after the manager was disposed: its hold kept the manager's handles open.
    /// </summary>
    /// <exception cref="RegistryException">The owner record could not be removed; the lock stays held until this process exits.</exception>
    internal bool Release(LockName name, string jobId)
    {
        if (name.IsRouter)
        {
            if (!lifetime.TryEnter())
            {
                return false; // Disposed: Dispose releases every router lock it holds.
            }

            try
            {
                return TryRemove(name, jobId, out var router) && ReleaseCore(router);
            }
            finally
            {
                lifetime.Leave();
            }
        }

        // A registry lock's hold has been in flight since its acquisition; its release ends it, whatever happens.
        if (!TryRemove(name, jobId, out var held))
        {
            return false;
        }

        try
        {
            return ReleaseCore(held);
        }
        finally
        {
            lifetime.OnRegistryLockReleased();
            lifetime.Leave();
        }
    }

    /// <summary>
    /// Releases exactly this router hold if it is still held: <see langword="false"/> when it was released already
    /// (by its job, by a rollback or by Dispose). Never throws because the manager was disposed.
    /// </summary>
    /// <exception cref="RegistryException">The owner record could not be removed; the lock stays held until this process exits.</exception>
    internal bool ReleaseHeld(HeldLock held)
    {
        if (!lifetime.TryEnter())
        {
            return false; // Disposed: Dispose releases every router lock it holds, this one included.
        }

        try
        {
            return heldLocks.TryRemove(held) && ReleaseCore(held);
        }
        finally
        {
            lifetime.Leave();
        }
    }

    /// <summary>
    /// Releases exactly this registry-lock hold, once: <see langword="false"/> when it was released already. A second
    /// release of one hold must never release a later call's hold of the same lock (all registry holds of a process
    /// share one job id), so the hold is found by reference, not by name and job. Works after Dispose: the hold kept
    /// the manager's handles open.
    /// </summary>
    /// <exception cref="RegistryException">The owner record could not be removed; the lock stays held until this process exits.</exception>
    internal bool ReleaseRegistryHold(HeldLock held)
    {
        // In flight since its acquisition; the first release ends that, a second finds nothing and changes nothing.
        if (!heldLocks.TryRemove(held))
        {
            return false;
        }

        try
        {
            return ReleaseCore(held);
        }
        finally
        {
            lifetime.OnRegistryLockReleased();
            lifetime.Leave();
        }
    }

    /// <summary>Releases every router lock still held, for whichever job (Dispose, exit). The caller is in flight.</summary>
    internal void ReleaseRouters()
    {
        foreach (var held in heldLocks.RemoveRouters())
        {
            logger.ReleasedOnDispose(held.Name.Value, held.JobId);
            try
            {
                ReleaseCore(held);
            }
            catch (RegistryException ex)
            {
                // Its record could not be removed, so it stays held until this process is gone; the others still go.
                logger.ReleaseFailed(held.Name.Value, held.JobId, ex);
            }
        }
    }

    private bool TryRemove(LockName name, string jobId, out HeldLock held)
    {
        if (heldLocks.TryRemove(name, jobId, out var found))
        {
            held = found!;
            return true;
        }

        logger.ReleaseByNonHolder(name.Value, jobId, found?.JobId ?? "none");
        held = null!;
        return false;
    }

    /// <summary>Releases a hold already taken out of the table: delete the record, then post and notify.</summary>
    /// <returns><see langword="true"/>.</returns>
    /// <exception cref="RegistryException">The record could not be removed, so the lock stays held.</exception>
    private bool ReleaseCore(HeldLock held)
    {
        var name = held.Name;

        // Delete before post: once posted, a new holder may already have written its own record, and a record
        // must never outlive its hold (LockRecovery relies on it). If it cannot be removed (nor emptied), the lock
        // stays held: a stale record naming this process would let a waiter "recover" a later holder's lock once
        // this process is gone.
        if (!records.Remove(name))
        {
            throw new RegistryException(
                $"Lock '{name}' was not released: its owner record '{files.OwnerRecordPath(name)}' could not be removed. The lock is recovered once this process exits.");
        }

        var semaphore = semaphores.GetOrOpen(name);
        var gate = gates.For(name, semaphore);
        LockHandover.PostAndNotify(semaphore, name, files, gate, leaveGate: gate is not null);
        var heldFor = timeProvider.GetUtcNow() - held.AcquiredAt;
        RegistryTelemetry.RecordLockHeld(name, heldFor);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LockReleased(name.Value, held.JobId, heldFor.TotalMilliseconds);
        }

        return true;
    }
}
