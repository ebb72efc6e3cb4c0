using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Security;
using Tsim.Registry.Transactions;

namespace Tsim.Registry.Locking;

/// <summary>
/// Acquires and releases the named semaphores of one manager, for jobs (router locks) and for library calls
/// (registry locks), and releases what is left when the manager is disposed or the process exits.
/// </summary>
/// <remarks>
/// The parts, each with one job: <see cref="SemaphoreTable"/> (open handles), <see cref="HeldLockTable"/> (who holds
/// what, lock order), <see cref="LockWaiter"/> (the one wait, synchronous or not), <see cref="LockRecovery"/> and
/// <see cref="LockOverride"/> (dead holders, the operator override), <see cref="LockLifetime"/> (operations in flight,
/// Dispose, exit).
/// </remarks>
internal sealed class LockManager : IDisposable
{
    private readonly RouterLockFiles _files;
    private readonly OwnerRecords _records;
    private readonly SemaphoreTable _semaphores;
    private readonly HeldLockTable _held = new();
    private readonly LockWaiter _waiter;
    private readonly LockRecovery _recovery;
    private readonly LockOverride _override;
    private readonly LockLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    internal LockManager(
        RouterLockFiles files,
        LockTimeout probeInterval,
        ILogger logger,
        TimeProvider timeProvider,
        AccessPolicy? policy = null,
        bool releaseOnSignal = true,
        bool routerLockFiles = true)
    {
        _files = files;
        _records = new OwnerRecords(files, routerLockFiles);
        _recovery = new LockRecovery(files, _records, logger);
        _semaphores = new SemaphoreTable(policy ?? AccessPolicy.Private, _recovery, files, _records);
        _override = new LockOverride(files, _records, _recovery, probeInterval, logger);
        Watcher = new LockReleaseWatcher(files.LockDirectory);
        _lifetime = new LockLifetime(CloseResources);
        _waiter = new LockWaiter(_recovery, Watcher, files, _lifetime, probeInterval);
        _logger = logger;
        _timeProvider = timeProvider;
        ProcessExitRelease.Register(this, releaseOnSignal);
    }

    internal RouterLockFiles Files => _files;

    /// <summary>Gets the owner records of this manager's locks.</summary>
    internal OwnerRecords Records => _records;

    /// <summary>Gets the inotify watcher of the lock directory, shared by every asynchronous and router waiter.</summary>
    internal LockReleaseWatcher Watcher { get; }

    /// <summary>Gets a snapshot of the locks this manager holds.</summary>
    internal IReadOnlyList<HeldLock> HeldLocks => _held.Snapshot();

    /// <summary>Gets how long <see cref="Dispose"/> waits for registry locks held by calls in flight.</summary>
    internal TimeSpan DisposeGrace { get; init; } = LockLifetime.RegistryCallGrace;

    /// <summary>Gets a value indicating whether the semaphores, owner record slots and watcher were closed.</summary>
    internal bool IsClosed => _lifetime.IsClosed;

    /// <summary>
    /// Takes one of the three registry locks for the duration of one library call (a read-modify-write of its file).
    /// </summary>
    /// <returns>The hold; disposing it releases the lock.</returns>
    /// <exception cref="RegistryLockTimeoutException">The lock was not acquired within <paramref name="timeout"/>.</exception>
    internal RegistryLockHold AcquireRegistryLock(LockName name, LockTimeout timeout)
    {
        if (!TryAcquire(name, RegistryLockHold.JobId, timeout))
        {
            throw new RegistryLockTimeoutException(
                $"Could not acquire registry lock '{name}' within {timeout}. Another process holds it; if none is running, a crashed process left it held.")
            {
                LockNames = [name.Value],
                Timeout = timeout.TimeSpan,
            };
        }

        return new RegistryLockHold(this, name);
    }

    /// <summary>Acquires one lock for <paramref name="jobId"/>, waiting up to <paramref name="timeout"/>.</summary>
    /// <returns><see langword="true"/> when acquired; <see langword="false"/> when the timeout elapsed.</returns>
    /// <exception cref="LockRecursionException">A router lock this job already holds was requested again.</exception>
    /// <exception cref="InvalidOperationException">The router sorts before a router this job holds.</exception>
    /// <exception cref="ObjectDisposedException">The manager was disposed.</exception>
    internal bool TryAcquire(LockName name, string jobId, LockTimeout timeout) =>
        Synchronously(AcquireOneAsync(name, jobId, timeout, synchronous: true, CancellationToken.None)) is not null;

    /// <summary>Acquires one lock without blocking a thread while waiting; see <see cref="TryAcquire"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing is held.</exception>
    internal async ValueTask<bool> TryAcquireAsync(LockName name, string jobId, LockTimeout timeout, CancellationToken cancellationToken) =>
        await AcquireOneAsync(name, jobId, timeout, synchronous: false, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>
    /// Acquires several router locks in the given (ordinal, distinct) order, all or nothing: when one times out,
    /// those already taken are released again.
    /// </summary>
    internal bool TryAcquireAll(IReadOnlyList<LockName> sortedNames, string jobId, LockTimeout timeout) =>
        Synchronously(AcquireAllAsync(sortedNames, jobId, timeout, synchronous: true, CancellationToken.None)) is not null;

    /// <summary>Acquires several router locks all or nothing without blocking a thread; see <see cref="TryAcquireAll"/>.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; the locks taken so far are released again.</exception>
    internal async ValueTask<bool> TryAcquireAllAsync(IReadOnlyList<LockName> sortedNames, string jobId, LockTimeout timeout, CancellationToken cancellationToken) =>
        await AcquireAllAsync(sortedNames, jobId, timeout, synchronous: false, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>
    /// Acquires router locks all or nothing (see <see cref="TryAcquireAll"/>) and returns them as one hold that
    /// releases exactly these locks, once.
    /// </summary>
    /// <param name="sortedNames">The routers' locks, in ordinal order, distinct.</param>
    /// <param name="jobId">The job that will hold them.</param>
    /// <param name="timeout">The total time to wait.</param>
    /// <param name="onReleased">Called after each lock the hold releases; must not throw.</param>
    /// <returns>The hold, or <see langword="null"/> when the timeout elapsed (nothing is held).</returns>
    internal RouterLockHold? TryHoldRouters(IReadOnlyList<LockName> sortedNames, string jobId, LockTimeout timeout, Action<HeldLock>? onReleased) =>
        Synchronously(AcquireAllAsync(sortedNames, jobId, timeout, synchronous: true, CancellationToken.None)) is { } holds
            ? new RouterLockHold(this, holds, onReleased)
            : null;

    /// <summary>Acquires router locks as one hold without blocking a thread; see <see cref="TryHoldRouters"/>.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; the locks taken so far are released again.</exception>
    internal async ValueTask<RouterLockHold?> TryHoldRoutersAsync(
        IReadOnlyList<LockName> sortedNames, string jobId, LockTimeout timeout, Action<HeldLock>? onReleased, CancellationToken cancellationToken) =>
        await AcquireAllAsync(sortedNames, jobId, timeout, synchronous: false, cancellationToken).ConfigureAwait(false) is { } holds
            ? new RouterLockHold(this, holds, onReleased)
            : null;

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

    /// <summary>Gets a semaphore's value without creating it: -1 when it does not exist, 0 held, 1 free.</summary>
    internal int GetValue(LockName name)
    {
        _lifetime.Enter();
        try
        {
            if (_semaphores.TryGetOpen(name) is { } open)
            {
                return open.GetValue();
            }

            using var semaphore = NamedSemaphore.TryOpenExisting(name.SemaphoreName);
            return semaphore?.GetValue() ?? -1;
        }
        finally
        {
            _lifetime.Leave();
        }
    }

    /// <summary>Operator override: see <see cref="LockOverride.ForceRelease"/>.</summary>
    /// <returns><see langword="false"/> when the lock was not held.</returns>
    /// <exception cref="InvalidOperationException">A live owner, or one of another pid namespace, is recorded.</exception>
    internal bool ForceRelease(LockName name)
    {
        _lifetime.Enter();
        try
        {
            return _override.ForceRelease(name, _semaphores.GetOrOpen(name));
        }
        finally
        {
            _lifetime.Leave();
        }
    }

    /// <summary>Recovers the lock if its recorded owner died; used by waiters that never acquire (WaitForRouter).</summary>
    internal bool TryRecoverDeadOwner(LockName name)
    {
        _lifetime.Enter();
        try
        {
            return _recovery.TryRecover(name, _semaphores.GetOrOpen(name));
        }
        finally
        {
            _lifetime.Leave();
        }
    }

    /// <summary>Finds which of this manager's jobs holds a lock, if any.</summary>
    internal HeldLock? FindHeld(LockName name) => _held.Find(name);

    /// <summary>
    /// Releases what an exiting process holds. New acquisitions are refused from now on. Registry locks are held by a
    /// library call on some thread, possibly in the middle of a write: that call is given <paramref name="grace"/> to
    /// finish and release them itself; one that does not is left to recovery by its owner record once the process is
    /// gone, never released under the write. Router locks are released, so that waiters (Python's too) go on.
    /// </summary>
    internal void ReleaseForExit(TimeSpan grace)
    {
        BeginExit();
        _lifetime.WaitForRegistryHolds(grace);
        if (_lifetime.TryEnter())
        {
            try
            {
                ReleaseRouters();
            }
            finally
            {
                _lifetime.Leave();
            }
        }

        // Otherwise disposed: Dispose releases the routers.
    }

    /// <summary>From now on, acquisitions are refused: the process is exiting.</summary>
    internal void BeginExit() => _lifetime.BeginExit();

    /// <summary>
    /// Refuses new acquisitions, releases the router locks still held (so that a disposed manager leaves no router
    /// locked), and waits up to <see cref="DisposeGrace"/> for registry locks held by calls in flight, which release
    /// them themselves: Dispose never posts a registry lock, since its holder may be in the middle of a write. The
    /// semaphores, owner record slots and watcher close when the last operation in flight has left.
    /// </summary>
    public void Dispose()
    {
        if (!_lifetime.TryBeginDispose())
        {
            return;
        }

        try
        {
            ProcessExitRelease.Unregister(this);

            // Asynchronous waiters re-check now and give up, instead of at the end of their probe slice.
            Watcher.WakeAll();
            ReleaseRouters();
            if (!_lifetime.WaitForRegistryHolds(DisposeGrace))
            {
                // Each late call still releases its lock when it ends; the handles stay open for it until then.
                _logger.RegistryLocksHeldPastDispose(string.Join(", ", _held.RegistryLockNames()), DisposeGrace.TotalMilliseconds);
            }
        }
        finally
        {
            _lifetime.Leave();
        }
    }

    /// <summary>Runs the synchronous strategy, which never awaits anything incomplete, and returns its result.</summary>
    private static T Synchronously<T>(ValueTask<T> operation)
    {
        Debug.Assert(operation.IsCompleted, "The synchronous wait strategy completed asynchronously.");
        return operation.GetAwaiter().GetResult();
    }

    private ValueTask<HeldLock?> AcquireOneAsync(LockName name, string jobId, LockTimeout timeout, bool synchronous, CancellationToken cancellationToken)
    {
        if (name.IsRouter)
        {
            _lifetime.ThrowIfDisposed();
            _held.EnsureLockOrder(new ReadOnlySpan<LockName>(in name), jobId);
        }

        return AcquireCoreAsync(name, jobId, timeout, synchronous, cancellationToken);
    }

    /// <summary>Acquires router locks in order, all or nothing; returns the holds, or <see langword="null"/> (none held).</summary>
    private async ValueTask<HeldLock[]?> AcquireAllAsync(
        IReadOnlyList<LockName> sortedNames, string jobId, LockTimeout timeout, bool synchronous, CancellationToken cancellationToken)
    {
        _lifetime.ThrowIfDisposed();
        _held.EnsureLockOrder(sortedNames as LockName[] ?? [.. sortedNames], jobId);
        var start = Stopwatch.GetTimestamp();
        var holds = new HeldLock[sortedNames.Count];
        using var transaction = new Transaction(_logger);
        for (var i = 0; i < holds.Length; i++)
        {
            // Each later lock gets what is left of the total; at zero it is still tried once.
            if (await AcquireCoreAsync(sortedNames[i], jobId, timeout.Remaining(start), synchronous, cancellationToken).ConfigureAwait(false) is not { } held)
            {
                return null; // The transaction releases what was taken.
            }

            holds[i] = held;
            transaction.OnRollback($"release {held.Name} held by {jobId}", () => ReleaseHeld(held));
        }

        transaction.Commit();
        return holds;
    }

    /// <summary>The acquisition of one lock: wait, then record; registry locks stay in flight until released.</summary>
    private async ValueTask<HeldLock?> AcquireCoreAsync(LockName name, string jobId, LockTimeout timeout, bool synchronous, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _lifetime.Enter();
        var stillInFlight = false;
        try
        {
            var semaphore = _semaphores.GetOrOpen(name);
            var start = Stopwatch.GetTimestamp();
            if (!await _waiter.WaitAsync(name, semaphore, timeout, start, synchronous, cancellationToken).ConfigureAwait(false))
            {
                _logger.LockTimedOut(name.Value, jobId, timeout.Milliseconds);
                RegistryTelemetry.RecordLockAttempt(name, acquired: false, Stopwatch.GetElapsedTime(start));
                return null;
            }

            var held = OnAcquired(name, jobId, semaphore, start);
            stillInFlight = !name.IsRouter;
            return held;
        }
        finally
        {
            if (!stillInFlight)
            {
                _lifetime.Leave();
            }
        }
    }

    /// <summary>Writes the owner record and enters the hold in the table, or gives the semaphore back.</summary>
    /// <exception cref="ObjectDisposedException">The manager was disposed while this thread waited.</exception>
    /// <exception cref="RegistryException">The process is exiting.</exception>
    private HeldLock OnAcquired(LockName name, string jobId, NamedSemaphore semaphore, long start)
    {
        if (_lifetime.IsExiting || _lifetime.IsDisposed)
        {
            // Exit or Dispose has already released what it knew of: do not start holding anything new.
            semaphore.Post();
            throw RefusedAcquisition(name);
        }

        var held = new HeldLock(name, jobId, _timeProvider.GetUtcNow());
        try
        {
            // Record after acquire: while the record exists the semaphore is held, never the other way round
            // (LockRecovery relies on it).
            _records.Write(name, OwnerRecordFor(held));
        }
        catch
        {
            semaphore.Post();
            throw;
        }

        if (!name.IsRouter)
        {
            _lifetime.OnRegistryLockAcquired(); // Before the table: a Dispose that sees the hold also waits for it.
        }

        if (!_held.TryAdd(held, _lifetime))
        {
            // Disposed or exiting between the check above and here: undo, in the order of a release.
            if (!name.IsRouter)
            {
                _lifetime.OnRegistryLockReleased();
            }

            _records.Remove(name);
            semaphore.Post();
            throw RefusedAcquisition(name);
        }

        RegistryTelemetry.RecordLockAttempt(name, acquired: true, Stopwatch.GetElapsedTime(start));
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LockAcquired(name.Value, jobId, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return held;
    }

    private Exception RefusedAcquisition(LockName name) =>
        _lifetime.IsDisposed
            ? new ObjectDisposedException(nameof(LockManager))
            : new RegistryException($"Lock '{name}' was not taken: the process is exiting (SIGTERM, SIGINT or normal exit).");

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

    /// <summary>Releases every router lock still held, for whichever job (Dispose, exit). The caller is in flight.</summary>
    private void ReleaseRouters()
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

    /// <summary>Closes the handles; run by <see cref="LockLifetime"/> once the last operation in flight has left.</summary>
    private void CloseResources()
    {
        Watcher.Dispose();
        _semaphores.Dispose();
        _records.Dispose();
    }

    private static OwnerRecord OwnerRecordFor(HeldLock held)
    {
        var process = ProcessIdentity.Current;
        return new OwnerRecord
        {
            Lock = held.Name.Value,
            JobId = held.JobId,
            Pid = process.Pid,
            StartTime = process.StartTime,
            PidNamespace = process.PidNamespace,
            AcquiredAt = held.AcquiredAt,
        };
    }
}
