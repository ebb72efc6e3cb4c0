namespace Tsim.Registry.Locking;

/// <summary>
/// The one wait of every acquisition, synchronous and asynchronous alike: try the semaphore, and until the deadline
/// sleep one probe slice at a time, recovering a dead owner's lock after every slice that brought no release. Before
/// it sleeps, it has the owner watched (<see cref="OwnerDeathWatch"/>), so that an owner's death ends the sleep at once.
/// </summary>
/// <remarks>
/// <para>
/// One <see langword="async"/> implementation with two strategies for the sleep (as DistributedLock's SyncViaAsync
/// does). The synchronous strategy never awaits: it spins briefly, then blocks in <c>sem_clockwait</c> for a slice,
/// so its <see cref="ValueTask{TResult}"/> completes synchronously and allocates nothing. The asynchronous strategy
/// blocks no thread: it awaits a release event of the lock directory (a deleted router lock file, a touched notify
/// file) or the end of the slice. Releases that make no event (a registry lock's slot record, every Python release of
/// a registry lock) are seen at the next slice.
/// </para>
/// <para>
/// A zero timeout tries once, and once more only if a dead owner was recovered. The wait gives up with
/// <see cref="ObjectDisposedException"/> within one slice of the manager being disposed.
/// </para>
/// </remarks>
internal sealed class LockWaiter(
    LockRecovery recovery, LockReleaseWatcher watcher, LockFiles files, LockLifetime lifetime, LockTimeout probeInterval, OwnerDeathWatch deathWatch)
{
    /// <summary>How often a synchronous waiter tries the semaphore (spinning, then yielding) before it sleeps in the kernel.</summary>
    private const int SpinAttempts = 20;


    /// <summary>Takes the semaphore, waiting until <paramref name="timeout"/> (counted from <paramref name="start"/>) runs out.</summary>
    /// <param name="name">The lock.</param>
    /// <param name="semaphore">Its semaphore.</param>
    /// <param name="gate">
    /// Its gate in a registry not shared with Python (<see cref="LockGate"/>), entered before the semaphore and, when
    /// this returns <see langword="true"/>, left held for the release; <see langword="null"/> when locks have none.
    /// </param>
    /// <param name="timeout">The timeout.</param>
    /// <param name="start">When the timeout started (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</param>
    /// <param name="synchronous">
    /// <see langword="true"/>: block the calling thread; the result is then always complete on return.
    /// </param>
    /// <param name="cancellationToken">Cancels an asynchronous wait; the synchronous strategy takes none.</param>
    /// <returns><see langword="true"/> when this thread took the semaphore; <see langword="false"/> when the timeout elapsed.</returns>
    /// <exception cref="ObjectDisposedException">The manager was disposed while waiting.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    internal async ValueTask<bool> WaitAsync(
        LockName name, NamedSemaphore semaphore, LockGate? gate, LockTimeout timeout, long start, bool synchronous, CancellationToken cancellationToken)
    {
        if (gate is null)
        {
            return await WaitForSemaphoreAsync(name, semaphore, gate, timeout, start, synchronous, cancellationToken).ConfigureAwait(false);
        }

        if (!await EnterGateAsync(name, gate, timeout, start, synchronous, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var taken = false;
        try
        {
            // Under the gate, a taken semaphore was left taken by a dead holder, and is recovered at once; unless a
            // manager shared with Python is alive, which takes semaphores without the gate: then wait as usual
            // (LockRecovery, remarks 5).
            taken = semaphore.TryWait() || (recovery.TryRecover(name, semaphore, gate) && semaphore.TryWait()) ||
                await WaitForSemaphoreAsync(name, semaphore, gate, timeout, start, synchronous, cancellationToken).ConfigureAwait(false);
            return taken;
        }
        finally
        {
            if (!taken)
            {
                gate.Exit();
            }
        }
    }

    /// <summary>The wait for the semaphore itself, with the gate (if any) held; parameters as for <see cref="WaitAsync"/>.</summary>
    private async ValueTask<bool> WaitForSemaphoreAsync(
        LockName name, NamedSemaphore semaphore, LockGate? gate, LockTimeout timeout, long start, bool synchronous, CancellationToken cancellationToken)
    {
        // The uncontended case: no spin, no subscription.
        if (semaphore.TryWait() || (synchronous && !timeout.IsZero && Spin(semaphore.TryWait, timeout, start)))
        {
            return true;
        }

        // About to sleep: have the owner's death wake us (a recovery posts the semaphore) rather than wait for a probe.
        string[]? watchedFiles = null;
        var probeDue = !timeout.IsZero && deathWatch.Watch(name);
        while (true)
        {
            // Subscribe before trying: a release between the try and the await still completes the subscription.
            using var subscription = synchronous ? null : watcher.Subscribe(watchedFiles ??= WatchedFiles(name));
            if (semaphore.TryWait())
            {
                return true;
            }

            // After a slice without a release, and once more at the deadline (so a zero timeout too): a dead owner
            // never posts, so its lock is recovered here or never.
            var remaining = timeout.Remaining(start);
            if (probeDue || remaining.IsZero)
            {
                if (recovery.TryRecover(name, semaphore, gate) && semaphore.TryWait())
                {
                    return true;
                }

                // The lock may have changed hands since the wait began: watch whoever holds it now. (An owner found
                // gone already is probed again after the next slice, never in a loop.)
                if (!remaining.IsZero)
                {
                    _ = deathWatch.Watch(name);
                }
            }

            if (remaining.IsZero)
            {
                return false;
            }

            lifetime.ThrowIfDisposed();
            var slice = Slice(remaining);
            if (synchronous)
            {
                if (semaphore.Wait(slice))
                {
                    return true;
                }

                probeDue = true;
            }
            else
            {
                probeDue = !await WaitForReleaseAsync(subscription!.Changed, slice.TimeSpan, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The files whose change may mean a release: the lock's name (a router's lock file), and a router's notify file.</summary>
    private string[] WatchedFiles(LockName name) =>
        name.RouterName is { } router ? [name.Value, Path.GetFileName(files.NotifyPath(router))] : [name.Value];

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
            return false; // The slice ran out without an event: the caller probes for a dead owner.
        }
    }

    /// <summary>
    /// Enters the lock's gate: first the manager's own part, then the kernel lock, sleeping on the gate word between
    /// tries (asynchronously: on the lock directory's release events). A dead gate holder's kernel lock is free at once
    /// but wakes nobody; its recovery by record does, which the owner watch runs the moment it dies, and a holder that
    /// died without a record is noticed at the end of the slice.
    /// </summary>
    private async ValueTask<bool> EnterGateAsync(
        LockName name, LockGate gate, LockTimeout timeout, long start, bool synchronous, CancellationToken cancellationToken)
    {
        while (!(synchronous
            ? gate.EnterInProcess(Slice(timeout.Remaining(start)).TimeSpan)
            : await gate.EnterInProcessAsync(Slice(timeout.Remaining(start)).TimeSpan, cancellationToken).ConfigureAwait(false)))
        {
            if (timeout.Remaining(start).IsZero)
            {
                return false;
            }

            lifetime.ThrowIfDisposed();
        }

        var entered = false;
        try
        {
            entered = gate.TryLockKernelPart() || (synchronous && !timeout.IsZero && Spin(gate.TryLockKernelPart, timeout, start)) ||
                await SleepUntilGateLockedAsync(name, gate, timeout, start, synchronous, cancellationToken).ConfigureAwait(false);
            return entered;
        }
        finally
        {
            if (!entered)
            {
                gate.ExitInProcess();
            }
        }
    }

    /// <summary>The sleeping part of <see cref="EnterGateAsync"/>: <see langword="false"/> when the timeout elapsed.</summary>
    private async ValueTask<bool> SleepUntilGateLockedAsync(
        LockName name, LockGate gate, LockTimeout timeout, long start, bool synchronous, CancellationToken cancellationToken)
    {
        var slot = gate.Slot;
        string[]? watchedFiles = null;
        if (!timeout.IsZero)
        {
            deathWatch.Watch(name); // Its answer (the owner is gone already) needs nothing more: the loop tries the gate first.
        }

        while (true)
        {
            // Announce (or subscribe) before trying: a release between the try and the sleep still ends the sleep.
            using var subscription = synchronous ? null : watcher.Subscribe(watchedFiles ??= WatchedFiles(name));
            var announced = synchronous ? slot.AnnounceGateWaiter() : 0;
            if (gate.TryLockKernelPart())
            {
                return true;
            }

            var remaining = timeout.Remaining(start);
            if (remaining.IsZero)
            {
                return false;
            }

            lifetime.ThrowIfDisposed();
            var slice = Slice(remaining).TimeSpan;
            var woken = synchronous
                ? slot.WaitForGateRelease(announced, slice)
                : await WaitForReleaseAsync(subscription!.Changed, slice, cancellationToken).ConfigureAwait(false);
            if (!woken)
            {
                _ = deathWatch.Watch(name); // A quiet slice: the gate may have changed hands, so watch whoever holds it now.
            }
        }
    }

    /// <summary>One sleep: the probe interval, or what is left of the timeout when that is shorter.</summary>
    private LockTimeout Slice(LockTimeout remaining) =>
        remaining.IsInfinite || remaining.Milliseconds > probeInterval.Milliseconds ? probeInterval : remaining;

    /// <summary>
    /// Tries a few times, yielding in between, before the caller sleeps in the kernel. Registry locks
    /// and short router holds are released within microseconds; catching such a release here saves the futex sleep
    /// and wake-up, which on a virtual machine costs tens of microseconds and an inter-processor interrupt, and
    /// spares the holder's release the wake-up call. Bounded to a few microseconds of yielding, so a waiter for a
    /// long hold loses nothing.
    /// </summary>
    private static bool Spin(Func<bool> tryTake, LockTimeout timeout, long start)
    {
        var spinner = default(SpinWait);
        for (var attempt = 0; attempt < SpinAttempts; attempt++)
        {
            if (timeout.Remaining(start).IsZero)
            {
                return false; // A yield may give up a whole time slice on a busy machine: never past the deadline.
            }

            spinner.SpinOnce(sleep1Threshold: -1); // Spins, then yields the CPU (to the holder, on a busy machine); never sleeps.
            if (tryTake())
            {
                return true;
            }
        }

        return false;
    }
}
