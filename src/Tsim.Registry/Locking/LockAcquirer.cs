using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Transactions;

namespace Tsim.Registry.Locking;

/// <summary>
/// Acquires the locks of one manager: checks the lock order, waits (<see cref="LockWaiter"/>), writes the owner
/// record and enters the hold in the table; several routers all or nothing.
/// </summary>
/// <remarks>
/// Every method takes a <c>synchronous</c> flag and is one <see langword="async"/> implementation for both kinds of
/// caller: with the flag set nothing is ever awaited that is not complete, so the result is complete on return and
/// no task is allocated (see <see cref="LockWaiter"/>).
/// </remarks>
internal sealed class LockAcquirer(LockFiles files, OwnerRecords records, SemaphoreTable semaphores, LockGates gates, HeldLockTable heldLocks, LockWaiter waiter, LockReleaser releaser, LockLifetime lifetime, ILogger logger, TimeProvider timeProvider)
{
    /// <summary>Acquires one lock for <paramref name="jobId"/>; a router only in lock order.</summary>
    /// <param name="name">The lock.</param>
    /// <param name="jobId">The job that will hold it.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="synchronous">Whether to block the calling thread (see <see cref="LockWaiter"/>).</param>
    /// <param name="cancellationToken">Cancels an asynchronous wait.</param>
    /// <returns>The hold, or <see langword="null"/> when the timeout elapsed.</returns>
    /// <exception cref="LockRecursionException">A router lock this job already holds was requested again.</exception>
    /// <exception cref="InvalidOperationException">The router sorts before a router this job holds.</exception>
    /// <exception cref="ObjectDisposedException">The manager was disposed.</exception>
    internal ValueTask<HeldLock?> AcquireOneAsync(LockName name, string jobId, LockTimeout timeout, bool synchronous, CancellationToken cancellationToken)
    {
        if (name.IsRouter)
        {
            lifetime.ThrowIfDisposed();
            heldLocks.EnsureLockOrder(new ReadOnlySpan<LockName>(in name), jobId);
        }

        return AcquireCoreAsync(name, jobId, timeout, synchronous, cancellationToken);
    }

    /// <summary>Acquires router locks in order, all or nothing; returns the holds, or <see langword="null"/> (none held).</summary>
    internal async ValueTask<HeldLock[]?> AcquireAllAsync(
        IReadOnlyList<LockName> sortedNames, string jobId, LockTimeout timeout, bool synchronous, CancellationToken cancellationToken)
    {
        lifetime.ThrowIfDisposed();
        heldLocks.EnsureLockOrder(sortedNames as LockName[] ?? [.. sortedNames], jobId);
        var start = Stopwatch.GetTimestamp();
        var holds = new HeldLock[sortedNames.Count];
        using var transaction = new Transaction(logger);
        for (var i = 0; i < holds.Length; i++)
        {
            // Each later lock gets what is left of the total; at zero it is still tried once.
            if (await AcquireCoreAsync(sortedNames[i], jobId, timeout.Remaining(start), synchronous, cancellationToken).ConfigureAwait(false) is not { } held)
            {
                return null; // The transaction releases what was taken.
            }

            holds[i] = held;
            transaction.OnRollback($"release {held.Name} held by {jobId}", () => releaser.ReleaseHeld(held));
        }

        transaction.Commit();
        return holds;
    }

    /// <summary>The acquisition of one lock: wait, then record; registry locks stay in flight until released.</summary>
    private async ValueTask<HeldLock?> AcquireCoreAsync(LockName name, string jobId, LockTimeout timeout, bool synchronous, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lifetime.Enter();
        var stillInFlight = false;
        try
        {
            var semaphore = semaphores.GetOrOpen(name);
            var gate = gates.For(name, semaphore);
            var start = Stopwatch.GetTimestamp();
            if (!await waiter.WaitAsync(name, semaphore, gate, timeout, start, synchronous, cancellationToken).ConfigureAwait(false))
            {
                logger.LockTimedOut(name.Value, jobId, timeout.Milliseconds);
                RegistryTelemetry.RecordLockAttempt(name, acquired: false, Stopwatch.GetElapsedTime(start));
                return null;
            }

            var held = OnAcquired(name, jobId, semaphore, gate, start);
            stillInFlight = !name.IsRouter;
            return held;
        }
        finally
        {
            if (!stillInFlight)
            {
                lifetime.Leave();
            }
        }
    }

    /// <summary>Writes the owner record and enters the hold in the table, or gives the semaphore (and gate) back.</summary>
    /// <exception cref="ObjectDisposedException">The manager was disposed while this thread waited.</exception>
    /// <exception cref="RegistryException">The process is exiting.</exception>
    private HeldLock OnAcquired(LockName name, string jobId, NamedSemaphore semaphore, LockGate? gate, long start)
    {
        if (lifetime.IsExiting || lifetime.IsDisposed)
        {
            // Exit or Dispose has already released what it knew of: do not start holding anything new.
            GiveBack(name, semaphore, gate);
            throw RefusedAcquisition(name);
        }

        var held = new HeldLock(name, jobId, timeProvider.GetUtcNow());
        try
        {
            // Record after acquire: while the record exists the semaphore is held, never the other way round
            // (LockRecovery relies on it).
            records.Write(name, OwnerRecordFor(held, semaphore));
        }
        catch
        {
            GiveBack(name, semaphore, gate);
            throw;
        }

        if (!name.IsRouter)
        {
            lifetime.OnRegistryLockAcquired(); // Before the table: a Dispose that sees the hold also waits for it.
        }

        if (!heldLocks.TryAdd(held, lifetime))
        {
            // Disposed or exiting between the check above and here: undo, in the order of a release.
            if (!name.IsRouter)
            {
                lifetime.OnRegistryLockReleased();
            }

            // As a release does: a record that could not be removed keeps the lock held (recovered once this process
            // is gone), since a record outliving its hold would let a waiter "recover" the next holder's lock.
            if (records.Remove(name))
            {
                GiveBack(name, semaphore, gate);
            }

            throw RefusedAcquisition(name);
        }

        RegistryTelemetry.RecordLockAttempt(name, acquired: true, Stopwatch.GetElapsedTime(start));
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LockAcquired(name.Value, jobId, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return held;
    }

    /// <summary>Undoes a wait that will not become a hold the way a release hands a lock on: post, leave the gate, notify.</summary>
    private void GiveBack(LockName name, NamedSemaphore semaphore, LockGate? gate) =>
        LockHandover.PostAndNotify(semaphore, name, files, gate, leaveGate: gate is not null);

    private Exception RefusedAcquisition(LockName name) =>
        lifetime.IsDisposed
            ? new ObjectDisposedException(nameof(LockManager))
            : new RegistryException($"Lock '{name}' was not taken: the process is exiting (SIGTERM, SIGINT or normal exit).");

    private static OwnerRecord OwnerRecordFor(HeldLock held, NamedSemaphore semaphore)
    {
        var process = ProcessIdentity.Current;
        return new OwnerRecord
        {
            Lock = held.Name.Value,
            JobId = held.JobId,
            Pid = process.Pid,
            StartTime = process.StartTime,
            PidNamespace = process.PidNamespace,
            Semaphore = semaphore.Instance,
            AcquiredAt = held.AcquiredAt,
        };
    }
}
