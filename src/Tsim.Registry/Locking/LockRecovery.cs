using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Diagnostics;

namespace Tsim.Registry.Locking;

/// <summary>
/// Frees a lock whose holder died without releasing it (SIGKILL, the OOM killer): POSIX semaphores are not robust,
/// so without this the semaphore stays at 0 for ever and every later job times out.
/// </summary>
/// <remarks>
/// <para>
/// Protocol. Every holder writes its owner record right after its wait succeeded and deletes it right before it
/// posts. A waiter whose wait has not succeeded within the probe interval reads the record; if the recorded owner
/// is dead (pid gone or a zombie, or reused by a process with another start time, in our pid namespace), it takes
/// the recovery guard (an exclusive, non-blocking flock on a guard file, released by the kernel if the recoverer
/// dies), re-reads the record, and only if it is still the same record of the same dead owner deletes it and posts
/// once. Then it goes back to waiting like everyone else.
/// </para>
/// <para>
/// Why no interleaving lets two processes hold the lock:
/// (1) A record exists only between its owner's successful wait and that owner's post (record after acquire,
/// delete before post), so while the dead owner's record exists nobody else can have acquired the semaphore: its
/// value is 0 and stays 0 until someone posts.
/// (2) Posting on behalf of the dead owner happens only under the guard and only after re-reading that very record
/// (pid, start time, acquisition time, job), and the record is deleted before the post. A second recoverer that saw
/// the same dead record earlier takes the guard later and re-reads: it finds no record, or the record of the new,
/// live holder, and does nothing. So a dead owner's hold is posted at most once: one post for one missing post.
/// (3) A record that does not parse, names another pid namespace, or does not exist never triggers recovery: no
/// record is what a live Python holder (which writes none) and a holder between its wait and its record look like.
/// </para>
/// <para>
/// What remains: a holder killed in the microseconds between its wait returning and its record being written (or
/// between deleting its record and posting) leaves a held semaphore without a record, which cannot be told from a
/// live Python holder; that lock is not recovered automatically.
/// </para>
/// <para>
/// (4) A record names the semaphore instance it was written for (device, inode and birth time of the semaphore's file):
/// a record that outlived its semaphore (removed by an operator, then created anew, perhaps by a Python process that
/// holds it now) is discarded without a post.
/// </para>
/// <para>
/// (5) In a registry not shared with Python every holder has the lock's gate (<see cref="LockGate"/>, a lock on the
/// semaphore's own file) from before its wait until after its post, and the kernel releases a dead holder's gate.
/// Whoever has the gate, while no manager shared with Python has the semaphore open
/// (<see cref="NamedSemaphore.IsMarkedSharedWithPythonElsewhere"/>), therefore knows that a taken semaphore was left
/// taken by a dead process, record or not: it posts it under the guard (<see cref="TryRecoverUnderGate"/>). That covers
/// the microseconds without a record too, so such a registry never keeps a dead holder's lock (docs/ARCHITECTURE.md,
/// "Crash safety").
/// </para>
/// <para>
/// What the argument assumes: nobody posts without holding. The Python implementation's release posts whether or
/// not it holds (docs/ARCHITECTURE.md, "Deviations", 3); such a stray post already lets two holders in on its own, and after it a dead
/// owner's record no longer matches the semaphore, so a recovery may post a second time. Records are also discarded
/// when this process creates the semaphore anew, since a record of a removed semaphore proves nothing.
/// </para>
/// </remarks>
internal sealed class LockRecovery(LockFiles files, OwnerRecords records, LockGates gates, ILogger logger)
{
    /// <summary>
    /// Recovers the lock if its recorded owner is dead, or, where locks have gates, if the gate is free (or the
    /// caller's) while the semaphore is taken. Returns <see langword="true"/> when it posted.
    /// </summary>
    /// <param name="name">The lock.</param>
    /// <param name="semaphore">This manager's handle of its semaphore.</param>
    /// <param name="heldGate">The lock's gate when the caller holds it (an acquirer), otherwise <see langword="null"/>.</param>
    internal bool TryRecover(LockName name, NamedSemaphore semaphore, LockGate? heldGate = null)
    {
        var gate = heldGate ?? gates.For(name, semaphore);
        if (TryRecoverRecorded(name, semaphore, gate))
        {
            return true;
        }

        if (heldGate is not null)
        {
            return TryRecoverUnderGate(name, semaphore, heldGate); // The caller takes the semaphore next: no one to notify.
        }

        if (gate is null || !gate.TryEnter())
        {
            return false; // No gates, or whoever has the gate is alive and deals with the semaphore itself.
        }

        bool recovered;
        try
        {
            recovered = TryRecoverUnderGate(name, semaphore, gate);
        }
        finally
        {
            gate.Exit();
        }

        if (recovered)
        {
            LockHandover.Notify(name, files); // After leaving the gate: a waiter woken by the touch must find it free.
        }

        return recovered;
    }

    /// <summary>
    /// With the lock's gate held: posts a taken semaphore, which only a dead process can have left taken while no
    /// manager shared with Python has it open (remarks, 5). Returns <see langword="true"/> when it posted; notifying
    /// router waiters is the caller's.
    /// </summary>
    private bool TryRecoverUnderGate(LockName name, NamedSemaphore semaphore, LockGate gate)
    {
        if (semaphore.GetValue() != 0)
        {
            return false;
        }

        // Under the guard, so that a recovery by record (which does not need the gate) cannot post the same hold again.
        // The checks come after it: once the guard is held and the value is 0, only a holder's own post can change
        // the value, and the mark check then also covers a manager shared with Python that opens the semaphore later
        // (it cannot take a semaphore at 0).
        using var guard = TryTakeGuard(name);
        if (guard is null || semaphore.GetValue() != 0 || semaphore.IsMarkedSharedWithPythonElsewhere())
        {
            return false;
        }

        // A live owner's record with its gate free: a process that takes no gate (another version of this library).
        // It holds the lock; leave it to it.
        var record = records.Read(name);
        if (record is not null && OwnerLivenessCheck.Check(record) == OwnerLiveness.Alive)
        {
            return false;
        }

        if (!records.Discard(name))
        {
            return false;
        }

        semaphore.Post();
        gate.Wake();
        logger.LockRecoveredUnderGate(name.Value, record?.JobId ?? "unknown", record?.Pid ?? 0);
        RegistryTelemetry.RecordRecovery(name);
        return true;
    }

    /// <summary>Recovers the lock if its recorded owner is dead. Returns <see langword="true"/> when it posted.</summary>
    private bool TryRecoverRecorded(LockName name, NamedSemaphore semaphore, LockGate? gate)
    {
        if (records.Read(name) is not { } observed || OwnerLivenessCheck.Check(observed) != OwnerLiveness.Dead)
        {
            return false;
        }

        using var guard = TryTakeGuard(name);
        if (guard is null)
        {
            return false; // Another process is recovering this lock right now.
        }

        // Re-read under the guard: only the very record we judged may be recovered, and only once.
        if (records.Read(name) is not { } current || !current.IsSameHoldAs(observed) ||
            OwnerLivenessCheck.Check(current) != OwnerLiveness.Dead)
        {
            return false;
        }

        // The record names the semaphore instance the dead owner held. This process's handle may be of an older one
        // (the name was removed and created anew since it opened it): then the instance now under the name is the one
        // to recover, if it is the record's; a record of an instance no longer under the name proves nothing.
        NamedSemaphore? currentInstance = null;
        try
        {
            var target = semaphore;
            if (current.Semaphore is { } instance && !string.Equals(instance, semaphore.Instance, StringComparison.Ordinal))
            {
                currentInstance = NamedSemaphore.TryOpenExisting(name.SemaphoreName, files.Policy);
                if (currentInstance is null || !string.Equals(currentInstance.Instance, instance, StringComparison.Ordinal))
                {
                    // Whoever holds the semaphore now under the name (a Python process, which writes no record) is not
                    // accounted for by this record: drop it, post nothing.
                    records.Discard(name);
                    logger.StaleRecordOfOtherSemaphore(name.Value, current.JobId, current.Pid);
                    return false;
                }

                target = currentInstance;
            }

            if (!records.Discard(name))
            {
                return false; // A record that outlived the post would later let a live holder's lock be "recovered".
            }

            // The record existed, so the dead owner's hold is the only one: the value is 0. A value above 0 would mean
            // someone posted without holding (mutual exclusion already broken); posting again would make it worse.
            if (target.GetValue() != 0)
            {
                return false;
            }

            LockHandover.PostAndNotify(target, name, files, gate, leaveGate: false);
            logger.LockRecovered(name.Value, current.JobId, current.Pid, current.AcquiredAt);
            RegistryTelemetry.RecordRecovery(name);
            return true;
        }
        finally
        {
            currentInstance?.Dispose();
        }
    }

    /// <summary>
    /// Called when this process created the lock's semaphore: a record left over from a previous semaphore of that
    /// name is stale. A dead owner's record is removed; a live owner's is reported, since that process holds a
    /// semaphore that no longer has a name, and mutual exclusion with it is already lost.
    /// </summary>
    /// <exception cref="RegistryException">A symlink was planted under the guard's name.</exception>
    internal void DiscardStaleRecord(LockName name)
    {
        if (records.Read(name) is not { } record)
        {
            return;
        }

        using var guard = TryTakeGuard(name);
        if (guard is null || records.Read(name) is not { } current || !current.IsSameHoldAs(record))
        {
            return; // Someone is recovering it, or it changed: a live holder of the new semaphore wrote it.
        }

        if (OwnerLivenessCheck.Check(current) == OwnerLiveness.Dead)
        {
            records.Discard(name);
        }
        else
        {
            logger.StaleRecordOfLiveOwner(name.Value, current.JobId, current.Pid);
        }
    }

    /// <summary>Takes the recovery guard of a lock, or returns <see langword="null"/> when another process has it.</summary>
    internal SafeFileHandle? TryTakeGuard(LockName name)
    {
        // O_NOFOLLOW: in group mode any group member can plant a link here; following it would create, lock and
        // (ApplyToNewFile) chmod a file elsewhere. Not O_TRUNC: the guard's content is irrelevant, only its lock.
        var path = files.RecoveryGuardPath(name);
        var guard = Interop.Libc.Open(
            path,
            Interop.OpenFlags.O_RDWR | Interop.OpenFlags.O_CREAT | Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_CLOEXEC,
            files.Policy.FileModeBits);
        if (guard.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            guard.Dispose();
            if (errno == Interop.Errno.ELOOP)
            {
                throw new RegistryException(
                    $"The recovery guard '{path}' is a symbolic link, so the lock '{name}' of a dead owner cannot be recovered safely. Remove the link.");
            }

            return null;
        }

        // LOCK_EX | LOCK_NB: a busy guard fails at once instead of blocking, and the kernel drops the lock if this
        // process dies while recovering. The guard file itself is never deleted, since deleting a flock'ed file lets
        // two processes lock two different inodes of the same name.
        if (Interop.Libc.Flock(guard, Interop.FlockOperations.LOCK_EX | Interop.FlockOperations.LOCK_NB) != 0)
        {
            guard.Dispose();
            return null;
        }

        files.Policy.ApplyToNewFile(guard);
        return guard;
    }
}
