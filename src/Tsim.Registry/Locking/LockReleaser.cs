using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;

namespace Tsim.Registry.Locking;

/// <summary>
/// Releases the locks of one manager: only a hold the manager has (a release by anyone else posts nothing), record
/// first, then the post (see <see cref="LockHandover"/>).
/// </summary>
internal sealed class LockReleaser
{
    private readonly LockFiles _files;
    private readonly OwnerRecords _records;
    private readonly SemaphoreTable _semaphores;
    private readonly HeldLockTable _held;
    private readonly LockLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    internal LockReleaser(
        LockFiles files, OwnerRecords records, SemaphoreTable semaphores, HeldLockTable held, LockLifetime lifetime, ILogger logger, TimeProvider timeProvider)
    {
        _files = files;
        _records = records;
        _semaphores = semaphores;
        _held = held;
        _lifetime = lifetime;
        _logger = logger;
        _timeProvider = timeProvider;
    }

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
            if (!_lifetime.TryEnter())
            {
                return false; // Disposed: Dispose releases every router lock it holds.
            }

            try
            {
                return TryRemove(name, jobId, out var router) && ReleaseCore(router);
            }
            finally
            {
                _lifetime.Leave();
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
            _lifetime.OnRegistryLockReleased();
            _lifetime.Leave();
        }
    }

    /// <summary>
    /// Releases exactly this router hold if it is still held: <see langword="false"/> when it was released already
    /// (by its job, by a rollback or by Dispose). Never throws because the manager was disposed.
    /// </summary>
    /// <exception cref="RegistryException">The owner record could not be removed; the lock stays held until this process exits.</exception>
    internal bool ReleaseHeld(HeldLock held)
    {
        if (!_lifetime.TryEnter())
        {
            return false; // Disposed: Dispose releases every router lock it holds, this one included.
        }

        try
        {
            return _held.TryRemove(held) && ReleaseCore(held);
        }
        finally
        {
            _lifetime.Leave();
        }
    }

    /// <summary>Releases every router lock still held, for whichever job (Dispose, exit). The caller is in flight.</summary>
    internal void ReleaseRouters()
    {
        foreach (var held in _held.RemoveRouters())
        {
            _logger.ReleasedOnDispose(held.Name.Value, held.JobId);
            try
            {
                ReleaseCore(held);
            }
            catch (RegistryException ex)
            {
                // Its record could not be removed, so it stays held until this process is gone; the others still go.
                _logger.ReleaseFailed(held.Name.Value, held.JobId, ex);
            }
        }
    }

    private bool TryRemove(LockName name, string jobId, out HeldLock held)
    {
        if (_held.TryRemove(name, jobId, out var found))
        {
            held = found!;
            return true;
        }

        _logger.ReleaseByNonHolder(name.Value, jobId, found?.JobId ?? "none");
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
        if (!_records.Remove(name))
        {
            throw new RegistryException(
                $"Lock '{name}' was not released: its owner record '{_files.OwnerRecordPath(name)}' could not be removed. The lock is recovered once this process exits.");
        }

        LockHandover.PostAndNotify(_semaphores.GetOrOpen(name), name, _files);
        var heldFor = _timeProvider.GetUtcNow() - held.AcquiredAt;
        RegistryTelemetry.RecordLockHeld(name, heldFor);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LockReleased(name.Value, held.JobId, heldFor.TotalMilliseconds);
        }

        return true;
    }
}
