using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;

namespace Tsim.Registry.Locking;

/// <summary>
/// The operator override: frees a held lock whose holder left no usable trace, which automatic recovery
/// (<see cref="LockRecovery"/>) cannot judge (docs/ARCHITECTURE.md, "Crash safety").
/// </summary>
internal sealed class LockOverride(LockFiles files, OwnerRecords records, LockRecovery recovery, LockGates gates, LockTimeout probeInterval, ILogger logger)
{
    /// <summary>
    /// Frees the lock unless a live (or unjudgeable) owner is recorded; a dead recorded owner goes through the normal
    /// recovery.
    /// </summary>
    /// <returns><see langword="false"/> when the lock was not held.</returns>
    /// <exception cref="InvalidOperationException">A live owner, or one of another pid namespace, is recorded, or the lock changed hands while watched.</exception>
    internal bool ForceRelease(LockName name, NamedSemaphore semaphore)
    {
        if (semaphore.GetValue() != 0)
        {
            return false;
        }

        if (records.Read(name) is { } record)
        {
            var liveness = OwnerLivenessCheck.Check(record);
            if (liveness != OwnerLiveness.Dead)
            {
                throw new InvalidOperationException(
                    $"Lock '{name}' is held by job '{record.JobId}' (pid {record.Pid}), which is {(liveness == OwnerLiveness.Alive ? "alive" : "in another pid namespace")}; refusing to force it free.");
            }

            return recovery.TryRecover(name, semaphore);
        }

        // A registry not shared with Python: whoever holds the semaphore holds the lock's gate until after its post, and
        // the kernel frees a dead process's gate, so a gate held elsewhere means a live holder without a record yet (or
        // any more), or a live acquirer about to recover a dead one's lock itself. A free gate means a dead holder, which
        // the recovery frees. (While a manager shared with Python is alive, a held gate may also be a waiter's, and a
        // free one proves nothing: the watch below decides.)
        if (gates.For(name, semaphore)?.IsEnteredInProcess == true ||
            (semaphore.IsGateHeldElsewhere() && !semaphore.IsMarkedSharedWithPythonElsewhere()))
        {
            throw new InvalidOperationException(
                $"Lock '{name}' is held, or being taken, by a live process: it has the lock's gate, which the kernel releases when a process dies. Refusing to force it free.");
        }

        if (recovery.TryRecover(name, semaphore))
        {
            return true;
        }

        // No record: a holder killed between its wait and its record, or a Python holder (which writes none), which the
        // operator vouches is gone. A live C# lock is also without a record for microseconds at every handover, so
        // watch it under the recovery guard for a quiet period: posting is only safe if it stayed held with no record
        // throughout. Any change means a live holder: refuse.
        using var guard = recovery.TryTakeGuard(name)
            ?? throw new InvalidOperationException($"Lock '{name}' is being recovered by another process right now.");

        // The record may be there but unusable (empty or unparseable: a holder killed while writing it); what must not
        // happen during the watch is any change to it.
        var quiet = TimeSpan.FromMilliseconds(Math.Max(500, 2 * probeInterval.Milliseconds));
        var unusableRecord = records.Snapshot(name);
        if (records.Read(name) is not null)
        {
            // A record appeared since the first look: a new holder was between its wait and its record then.
            throw new InvalidOperationException(
                $"Lock '{name}' changed hands while it was looked at before forcing it free: its holder is alive. Nothing was changed.");
        }

        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < quiet)
        {
            if (semaphore.GetValue() != 0 || !records.Snapshot(name).SameAs(unusableRecord))
            {
                throw new InvalidOperationException(
                    $"Lock '{name}' changed hands while it was watched before forcing it free: its holder is alive. Nothing was changed.");
            }

            Thread.Sleep(1); // Polling a foreign holder's state: there is no event for "nothing happened".
        }

        if (!unusableRecord.IsEmpty && !records.Discard(name))
        {
            throw new InvalidOperationException($"Lock '{name}' was not forced free: its unusable owner record cannot be removed.");
        }

        LockHandover.PostAndNotify(semaphore, name, files, gate: null, leaveGate: false);
        logger.LockForced(name.Value);
        return true;
    }
}
