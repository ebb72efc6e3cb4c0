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
/// blocks no thread: it awaits a release event of the lock directory (a deleted owner record file, a touched notify
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
        LockName name, NamedSemaphore semaphore, LockTimeout timeout, long start, bool synchronous, CancellationToken cancellationToken)
    {
        // The uncontended case: no spin, no subscription.
        if (semaphore.TryWait() || (synchronous && !timeout.IsZero && SpinForRelease(semaphore, timeout, start)))
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
                if (recovery.TryRecover(name, semaphore) && semaphore.TryWait())
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
            var slice = remaining.IsInfinite || remaining.Milliseconds > probeInterval.Milliseconds ? probeInterval : remaining;
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

    /// <summary>The files whose change may mean a release: the owner record file, and a router's notify file.</summary>
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
            if (timeout.Remaining(start).IsZero)
            {
                return false; // A yield may give up a whole time slice on a busy machine: never past the deadline.
            }

            spinner.SpinOnce(sleep1Threshold: -1); // Spins, then yields the CPU (to the holder, on a busy machine); never sleeps.
            if (semaphore.TryWait())
            {
                return true;
            }
        }

        return false;
    }
}
