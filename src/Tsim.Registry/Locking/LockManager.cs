using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Security;
using Tsim.Registry.Transactions;

namespace Tsim.Registry.Locking;

/// <summary>
/// Acquires and releases the named semaphores of one manager, and knows which locks it holds for which job, so
/// that a release by anyone else posts nothing (a stray post would raise the semaphore above 1 and let two
/// processes in at once).
/// </summary>
/// <remarks>
/// Lock order (docs/ARCHITECTURE.md, "Deviations", 6): the three registry locks are leaf locks, taken only inside one library call,
/// and when one call needs two of them it takes them in the specification's order (hosts registry, then host
/// leases). Router locks are the only locks a caller holds across calls; a job that holds routers may only add
/// routers that sort after every router it holds, so two jobs can never wait for each other in a cycle.
/// </remarks>
internal sealed class LockManager : IDisposable
{
    /// <summary>How often a waiter tries the semaphore (spinning, then yielding) before it sleeps in the kernel.</summary>
    private const int SpinAttempts = 20;

    // An object, not a System.Threading.Lock: Dispose waits on it (Monitor.Wait) for operations in flight.
    private readonly object _gate = new();
    private readonly Dictionary<string, NamedSemaphore> _semaphores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HeldLock> _held = new(StringComparer.Ordinal);
    private readonly LockFiles _files;
    private readonly OwnerRecords _records;
    private readonly LockTimeout _probeInterval;
    private readonly AccessPolicy _policy;
    private readonly LockRecovery _recovery;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private bool _disposed;

    /// <summary>Acquisitions and releases in progress; Dispose waits for them before it closes the semaphores.</summary>
    private int _inFlight;
    private volatile bool _terminating;

    internal LockManager(
        LockFiles files,
        LockTimeout probeInterval,
        ILogger logger,
        TimeProvider timeProvider,
        AccessPolicy? policy = null,
        bool releaseOnSignal = true,
        bool routerLockFiles = true)
    {
        _files = files;
        _records = new OwnerRecords(files, routerLockFiles);
        _policy = policy ?? AccessPolicy.Private;
        _probeInterval = probeInterval;
        _recovery = new LockRecovery(files, _records, logger);
        Watcher = new LockReleaseWatcher(files.LockDirectory);
        _logger = logger;
        _timeProvider = timeProvider;
        ProcessExitRelease.Register(this, releaseOnSignal);
    }

    internal LockFiles Files => _files;

    /// <summary>Gets the owner records of this manager's locks.</summary>
    internal OwnerRecords Records => _records;

    /// <summary>Gets the inotify watcher of the lock directory, shared by every asynchronous and router waiter.</summary>
    internal LockReleaseWatcher Watcher { get; }

    /// <summary>Gets a snapshot of the locks this manager holds.</summary>
    internal IReadOnlyList<HeldLock> HeldLocks
    {
        get
        {
            lock (_gate)
            {
                return [.. _held.Values];
            }
        }
    }

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
    internal bool TryAcquire(LockName name, string jobId, LockTimeout timeout)
    {
        if (name.IsRouter)
        {
            EnsureLockOrder([name], jobId);
        }

        return TryAcquireCore(name, jobId, timeout);
    }

    /// <summary>
    /// Acquires one lock without blocking a thread while waiting; see <see cref="TryAcquire"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing is held.</exception>
    internal ValueTask<bool> TryAcquireAsync(LockName name, string jobId, LockTimeout timeout, CancellationToken cancellationToken)
    {
        if (name.IsRouter)
        {
            EnsureLockOrder([name], jobId);
        }

        return TryAcquireCoreAsync(name, jobId, timeout, cancellationToken);
    }

    /// <summary>Acquires several router locks all or nothing without blocking a thread; see <see cref="TryAcquireAll"/>.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; the locks taken so far are released again.</exception>
    internal async ValueTask<bool> TryAcquireAllAsync(IReadOnlyList<LockName> sortedNames, string jobId, LockTimeout timeout, CancellationToken cancellationToken)
    {
        EnsureLockOrder(sortedNames, jobId);
        var start = Stopwatch.GetTimestamp();
        using var transaction = new Transaction(_logger);
        foreach (var name in sortedNames)
        {
            if (!await TryAcquireCoreAsync(name, jobId, timeout.Remaining(start), cancellationToken).ConfigureAwait(false))
            {
                return false; // The transaction releases what was taken.
            }

            transaction.OnRollback($"release {name} held by {jobId}", () => Release(name, jobId));
        }

        transaction.Commit();
        return true;
    }

    /// <summary>
    /// Acquires several router locks in the given (ordinal, distinct) order, all or nothing: when one times out,
    /// those already taken are released again.
    /// </summary>
    internal bool TryAcquireAll(IReadOnlyList<LockName> sortedNames, string jobId, LockTimeout timeout)
    {
        EnsureLockOrder(sortedNames, jobId);
        var start = Stopwatch.GetTimestamp();
        using var transaction = new Transaction(_logger);
        foreach (var name in sortedNames)
        {
            // Each later lock gets what is left of the total; at zero it is still tried once.
            if (!TryAcquireCore(name, jobId, timeout.Remaining(start)))
            {
                return false; // The transaction releases what was taken.
            }

            transaction.OnRollback($"release {name} held by {jobId}", () => Release(name, jobId));
        }

        transaction.Commit();
        return true;
    }

    /// <summary>
    /// Releases a lock held by <paramref name="jobId"/>. Returns <see langword="false"/> and changes nothing when this
    /// manager does not hold it for that job.
    /// </summary>
    internal bool Release(LockName name, string jobId)
    {
        HeldLock held;
        NamedSemaphore semaphore;
        lock (_gate)
        {
            if (!_held.TryGetValue(name.Value, out held!) || !string.Equals(held.JobId, jobId, StringComparison.Ordinal))
            {
                _logger.ReleaseByNonHolder(name.Value, jobId, held?.JobId ?? "none");
                return false;
            }

            _held.Remove(name.Value);
            semaphore = _semaphores[name.Value];
            _inFlight++;
        }

        try
        {
            ReleaseCore(name, semaphore, held);
        }
        finally
        {
            LeaveInFlight();
        }

        return true;
    }

    /// <summary>Gets a semaphore's value without creating it: -1 when it does not exist, 0 held, 1 free.</summary>
    internal int GetValue(LockName name)
    {
        lock (_gate)
        {
            if (_semaphores.TryGetValue(name.Value, out var open))
            {
                return open.GetValue();
            }
        }

        using var semaphore = NamedSemaphore.TryOpenExisting(name.SemaphoreName);
        return semaphore?.GetValue() ?? -1;
    }

    /// <summary>
    /// Operator override: frees a held lock whose holder left no usable trace. Refuses while a live (or
    /// unjudgeable) owner is recorded; a dead recorded owner goes through the normal recovery.
    /// </summary>
    /// <returns><see langword="false"/> when the lock was not held.</returns>
    /// <exception cref="InvalidOperationException">A live owner, or one of another pid namespace, is recorded.</exception>
    internal bool ForceRelease(LockName name)
    {
        var semaphore = GetOrOpenSemaphore(name);
        if (semaphore.GetValue() != 0)
        {
            return false;
        }

        if (_records.Read(name) is { } record)
        {
            var liveness = OwnerLivenessCheck.Check(record);
            if (liveness != OwnerLiveness.Dead)
            {
                throw new InvalidOperationException(
                    $"Lock '{name}' is held by job '{record.JobId}' (pid {record.Pid}), which is {(liveness == OwnerLiveness.Alive ? "alive" : "in another pid namespace")}; refusing to force it free.");
            }

            return _recovery.TryRecover(name, semaphore);
        }

        // No record: a holder killed between its wait and its record, or a Python holder (which writes none), which the
        // operator vouches is gone. A live C# lock is also without a record for microseconds at every handover, so
        // watch it under the recovery guard for a quiet period: posting is only safe if it stayed held with no record
        // throughout. Any change means a live holder: refuse.
        using var guard = _recovery.TryTakeGuard(name)
            ?? throw new InvalidOperationException($"Lock '{name}' is being recovered by another process right now.");
        // The record may be there but unusable (empty or unparseable: a holder killed while writing it); what must not
        // happen during the watch is any change to it.
        var quiet = TimeSpan.FromMilliseconds(Math.Max(500, 2 * _probeInterval.Milliseconds));
        var unusableRecord = _records.Snapshot(name);
        if (_records.Read(name) is not null)
        {
            // A record appeared since the first look: a new holder was between its wait and its record then.
            throw new InvalidOperationException(
                $"Lock '{name}' changed hands while it was looked at before forcing it free: its holder is alive. Nothing was changed.");
        }

        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < quiet)
        {
            if (semaphore.GetValue() != 0 || !_records.Snapshot(name).SameAs(unusableRecord))
            {
                throw new InvalidOperationException(
                    $"Lock '{name}' changed hands while it was watched before forcing it free: its holder is alive. Nothing was changed.");
            }

            Thread.Sleep(1);
        }

        if (!unusableRecord.IsEmpty && !_records.Discard(name))
        {
            throw new InvalidOperationException($"Lock '{name}' was not forced free: its unusable owner record cannot be removed.");
        }

        semaphore.Post();
        if (name.RouterName is { } routerName)
        {
            _files.TouchNotify(routerName);
        }

        _logger.LockForced(name.Value);
        return true;
    }

    /// <summary>Recovers the lock if its recorded owner died; used by waiters that never acquire (WaitForRouter).</summary>
    internal bool TryRecoverDeadOwner(LockName name)
    {
        var semaphore = GetOrOpenSemaphore(name);
        return _recovery.TryRecover(name, semaphore);
    }

    /// <summary>Finds which of this manager's jobs holds a lock, if any.</summary>
    internal HeldLock? FindHeld(LockName name)
    {
        lock (_gate)
        {
            return _held.GetValueOrDefault(name.Value);
        }
    }

    /// <summary>
    /// Releases what an exiting process holds. New acquisitions are refused from now on. Registry locks are held by a
    /// library call on some thread, possibly in the middle of a write: that call is given <paramref name="grace"/> to
    /// finish and release them itself; one that does not is left to recovery by its owner record once the process is
    /// gone, never released under the write. Router locks are released, so that waiters (Python's too) go on.
    /// </summary>
    internal void ReleaseForExit(TimeSpan grace)
    {
        BeginExit();
        var start = Stopwatch.GetTimestamp();
        while (HoldsRegistryLock() && Stopwatch.GetElapsedTime(start) < grace)
        {
            Thread.Sleep(1);
        }

        ReleaseAllHeld(routersOnly: true);
    }

    /// <summary>From now on, acquisitions are refused: the process is exiting.</summary>
    internal void BeginExit() => _terminating = true;

    /// <summary>Releases every lock still held, for whichever job (Dispose, and routers on exit).</summary>
    internal void ReleaseAllHeld(bool routersOnly = false)
    {
        List<(HeldLock Held, NamedSemaphore Semaphore)> leftovers;
        lock (_gate)
        {
            leftovers = [.. _held.Values.Where(h => !routersOnly || h.Name.IsRouter).Select(h => (h, _semaphores[h.Name.Value]))];
            foreach (var (held, _) in leftovers)
            {
                _held.Remove(held.Name.Value);
            }
        }

        foreach (var (held, semaphore) in leftovers)
        {
            _logger.ReleasedOnDispose(held.Name.Value, held.JobId);
            try
            {
                ReleaseCore(held.Name, semaphore, held);
            }
            catch (RegistryException ex)
            {
                // Its record could not be removed, so it stays held until this process is gone; the others still go.
                _logger.ReleaseFailed(held.Name.Value, held.JobId, ex);
            }
        }
    }

    /// <summary>Releases every lock still held (so that a disposed manager leaves nothing behind) and closes the semaphores.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        ProcessExitRelease.Unregister(this);
        ReleaseAllHeld();
        Watcher.Dispose();
        lock (_gate)
        {
            // Waiters notice _disposed within one probe interval and give up (posting back what they got); a release
            // in progress finishes its post. Only then may the handles close: a post on a closed handle would leave the
            // lock held with no record, which nothing can recover.
            while (_inFlight > 0)
            {
                Monitor.Wait(_gate);
            }

            foreach (var semaphore in _semaphores.Values)
            {
                semaphore.Dispose();
            }

            _semaphores.Clear();
            _records.Dispose();
        }
    }

    private bool TryAcquireCore(LockName name, string jobId, LockTimeout timeout)
    {
        var semaphore = EnterInFlight(name);
        try
        {
            var start = Stopwatch.GetTimestamp();
            if (!WaitRecoveringDeadOwners(name, semaphore, timeout, start))
            {
                _logger.LockTimedOut(name.Value, jobId, timeout.Milliseconds);
                RegistryTelemetry.RecordLockAttempt(name, acquired: false, Stopwatch.GetElapsedTime(start));
                return false;
            }

            OnAcquired(name, jobId, semaphore, start);
            return true;
        }
        finally
        {
            LeaveInFlight();
        }
    }

    /// <summary>Opens the lock's semaphore and counts an operation in flight, which Dispose waits for.</summary>
    private NamedSemaphore EnterInFlight(LockName name)
    {
        var semaphore = GetOrOpenSemaphore(name);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _inFlight++;
        }

        return semaphore;
    }

    private void LeaveInFlight()
    {
        lock (_gate)
        {
            if (--_inFlight == 0)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void ThrowIfDisposedWhileWaiting()
    {
        // Read without the gate: a stale false only costs one more probe slice.
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
    }

    /// <summary>
    /// The asynchronous wait: no thread blocks in the kernel. Each round subscribes to the lock directory, tries the
    /// semaphore, and otherwise awaits the next release event (a deleted owner record, a touched notify file) or the
    /// probe interval, whichever comes first; after a silent probe interval a dead owner is recovered as in the
    /// synchronous wait. Python releases of registry locks produce no event, so those are seen at the next probe.
    /// </summary>
    private async ValueTask<bool> TryAcquireCoreAsync(LockName name, string jobId, LockTimeout timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var semaphore = EnterInFlight(name);
        try
        {
            var start = Stopwatch.GetTimestamp();
            string[] files = name.RouterName is { } router
                ? [name.Value, Path.GetFileName(_files.NotifyPath(router))]
                : [name.Value];
            var probeDue = false;
            while (true)
            {
                // Subscribe before trying: a release between the try and the await still completes the subscription.
                using (var subscription = Watcher.Subscribe(files))
                {
                    if (semaphore.TryWait() || (probeDue && _recovery.TryRecover(name, semaphore) && semaphore.TryWait()))
                    {
                        break;
                    }

                    var remaining = timeout.Remaining(start);
                    if (remaining.IsZero)
                    {
                        _logger.LockTimedOut(name.Value, jobId, timeout.Milliseconds);
                        RegistryTelemetry.RecordLockAttempt(name, acquired: false, Stopwatch.GetElapsedTime(start));
                        return false;
                    }

                    ThrowIfDisposedWhileWaiting();
                    var slice = remaining.IsInfinite || remaining.Milliseconds > _probeInterval.Milliseconds ? _probeInterval : remaining;
                    probeDue = !await WaitForReleaseAsync(subscription.Changed, slice.TimeSpan, cancellationToken).ConfigureAwait(false);
                }
            }

            OnAcquired(name, jobId, semaphore, start);
            return true;
        }
        finally
        {
            LeaveInFlight();
        }
    }

    /// <summary>Awaits a release event; <see langword="false"/> when the slice ran out first.</summary>
    private static async ValueTask<bool> WaitForReleaseAsync(Task changed, TimeSpan slice, CancellationToken cancellationToken)
    {
        try
        {
            await changed.WaitAsync(slice, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private bool HoldsRegistryLock()
    {
        lock (_gate)
        {
            return _held.Values.Any(static h => !h.Name.IsRouter);
        }
    }

    private void OnAcquired(LockName name, string jobId, NamedSemaphore semaphore, long start)
    {
        if (_terminating)
        {
            // The process is exiting and has already released what it held: do not start holding anything new.
            semaphore.Post();
            throw new RegistryException($"Lock '{name}' was not taken: the process is exiting (SIGTERM, SIGINT or normal exit).");
        }

        if (Volatile.Read(ref _disposed))
        {
            // Disposed while this thread waited: Dispose has already released what it knew of; give this one back.
            semaphore.Post();
            throw new ObjectDisposedException(nameof(LockManager));
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

        lock (_gate)
        {
            if (_disposed)
            {
                // Disposed between the check above and here: undo, in the order of a release.
                _records.Remove(name);
                semaphore.Post();
                throw new ObjectDisposedException(nameof(LockManager));
            }

            _held[name.Value] = held;
        }

        RegistryTelemetry.RecordLockAttempt(name, acquired: true, Stopwatch.GetElapsedTime(start));

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LockAcquired(name.Value, jobId, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    /// <summary>
    /// Waits in slices of the probe interval; between slices, a lock whose recorded owner died is recovered
    /// (a dead owner never posts). A zero timeout tries once, and once more only if a dead owner was recovered.
    /// </summary>
    private bool WaitRecoveringDeadOwners(LockName name, NamedSemaphore semaphore, LockTimeout timeout, long start)
    {
        if (!timeout.IsZero && SpinForRelease(semaphore, timeout, start))
        {
            return true;
        }

        while (true)
        {
            var remaining = timeout.Remaining(start);
            var slice = remaining.IsInfinite || remaining.Milliseconds > _probeInterval.Milliseconds ? _probeInterval : remaining;
            if (semaphore.Wait(slice))
            {
                return true;
            }

            if (_recovery.TryRecover(name, semaphore) && semaphore.TryWait())
            {
                return true;
            }

            if (timeout.Remaining(start).IsZero)
            {
                return false;
            }

            ThrowIfDisposedWhileWaiting();
        }
    }

    /// <summary>
    /// Tries the semaphore a few times, yielding in between, before the caller sleeps in the kernel. Registry locks
    /// and short router holds are released within microseconds; catching such a release here saves the futex sleep
    /// and wake-up, which on a virtual machine costs tens of microseconds and an inter-processor interrupt, and
    /// spares the holder's sem_post the wake-up call. Bounded to a few microseconds of yielding, so a waiter for a
    /// long hold loses nothing.
    /// </summary>
    private static bool SpinForRelease(NamedSemaphore semaphore, LockTimeout timeout, long start)
    {
        var spinner = default(SpinWait);
        for (var attempt = 0; attempt < SpinAttempts; attempt++)
        {
            if (semaphore.TryWait())
            {
                return true;
            }

            if (timeout.Remaining(start).IsZero)
            {
                return false; // A yield may give up a whole time slice on a busy machine: never past the deadline.
            }

            spinner.SpinOnce(sleep1Threshold: -1); // Spins, then yields the CPU (to the holder, on a busy machine); never sleeps.
        }

        return false;
    }

    private void ReleaseCore(LockName name, NamedSemaphore semaphore, HeldLock held)
    {
        // Delete before post: once posted, a new holder may already have written its own record, and a record
        // must never outlive its hold (LockRecovery relies on it). If it cannot be removed (nor emptied), the lock
        // stays held: a stale record naming this process would let a waiter "recover" a later holder's lock once
        // this process is gone.
        if (!_records.Remove(name))
        {
            throw new RegistryException(
                $"Lock '{name}' was not released: its owner record '{_files.OwnerRecordPath(name)}' could not be removed. The lock is recovered once this process exits.");
        }

        semaphore.Post();
        if (name.RouterName is { } routerName)
        {
            _files.TouchNotify(routerName);
        }

        RegistryTelemetry.RecordLockHeld(name, _timeProvider.GetUtcNow() - held.AcquiredAt);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LockReleased(name.Value, held.JobId, (_timeProvider.GetUtcNow() - held.AcquiredAt).TotalMilliseconds);
        }
    }

    private void EnsureLockOrder(IReadOnlyList<LockName> requested, string jobId)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
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

    private NamedSemaphore GetOrOpenSemaphore(LockName name)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_semaphores.TryGetValue(name.Value, out var semaphore))
            {
                semaphore = NamedSemaphore.OpenOrCreate(name.SemaphoreName, _policy.FileModeBits, out var created);
                try
                {
                    _policy.VerifySemaphore(name.SemaphoreName, created);
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

                _semaphores.Add(name.Value, semaphore);
            }

            return semaphore;
        }
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

/// <summary>A lock held by a manager: which, for which job, since when.</summary>
internal sealed record HeldLock(LockName Name, string JobId, DateTimeOffset AcquiredAt);
