using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Security;

namespace Tsim.Registry.Locking;

/// <summary>
/// Acquires and releases the named semaphores of one manager, for jobs (router locks) and for library calls
/// (registry locks), and releases what is left when the manager is disposed (never while the process exits: see
/// <see cref="ProcessExitGuard"/>).
/// </summary>
/// <remarks>
/// The parts, each with one job: <see cref="SemaphoreTable"/> (open handles), <see cref="HeldLockTable"/> (who holds
/// what, lock order), <see cref="LockAcquirer"/> and <see cref="LockWaiter"/> (acquisition, and the one wait for
/// synchronous and asynchronous callers), <see cref="LockReleaser"/> (release), <see cref="LockRecovery"/> and
/// <see cref="LockOverride"/> (dead holders, the operator override), <see cref="LockLifetime"/> (operations in flight,
/// Dispose, exit). This class wires them and is what the facade calls.
/// </remarks>
internal sealed class LockManager : IDisposable
{
    private readonly LockFiles _files;
    private readonly OwnerRecords _records;
    private readonly SemaphoreTable _semaphores;
    private readonly HeldLockTable _held = new();
    private readonly LockAcquirer _acquirer;
    private readonly LockReleaser _releaser;
    private readonly LockRecovery _recovery;
    private readonly LockOverride _override;
    private readonly LockLifetime _lifetime;
    private readonly OwnerDeathWatch _deathWatch;
    private readonly LockGates _gates;
    private readonly ILogger _logger;

    internal LockManager(
        LockFiles files,
        LockTimeout probeInterval,
        ILogger logger,
        TimeProvider timeProvider,
        AccessPolicy? policy = null,
        bool routerLockFiles = true,
        string? semaphorePrefix = null)
    {
        _files = files;
        _logger = logger;

        _records = new OwnerRecords(files, routerLockFiles, logger);
        var gates = _gates = new LockGates(_records, gated: !routerLockFiles);
        _recovery = new LockRecovery(files, _records, gates, logger);
        _semaphores = new SemaphoreTable(policy ?? AccessPolicy.Private, _recovery, files, _records, markSharedWithPython: routerLockFiles, semaphorePrefix);
        _override = new LockOverride(files, _records, _recovery, gates, probeInterval, logger);
        Watcher = new LockReleaseWatcher(files.LockDirectory);
        _lifetime = new LockLifetime(CloseResources);
        _releaser = new LockReleaser(files, _records, _semaphores, gates, _held, _lifetime, logger, timeProvider);
        _deathWatch = new OwnerDeathWatch(_records, name => TryRecoverDeadOwner(name), logger);
        var waiter = new LockWaiter(_recovery, Watcher, files, _lifetime, probeInterval, _deathWatch);
        _acquirer = new LockAcquirer(files, _records, _semaphores, gates, _held, waiter, _releaser, _lifetime, logger, timeProvider);
        ProcessExitGuard.Register(this);
    }

    internal LockFiles Files => _files;

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
        if (Synchronously(_acquirer.AcquireOneAsync(name, RegistryLockHold.JobId, timeout, synchronous: true, CancellationToken.None)) is not { } held)
        {
            throw new RegistryLockTimeoutException(
                $"Could not acquire registry lock '{name}' within {timeout}. Another process holds it; if none is running, a crashed process left it held.")
            {
                LockNames = [name.Value],
                Timeout = timeout.TimeSpan,
            };
        }

        return new RegistryLockHold(this, held);
    }

    /// <summary>Acquires one lock for <paramref name="jobId"/>, waiting up to <paramref name="timeout"/>.</summary>
    /// <returns><see langword="true"/> when acquired; <see langword="false"/> when the timeout elapsed.</returns>
    /// <exception cref="LockRecursionException">A router lock this job already holds was requested again.</exception>
    /// <exception cref="InvalidOperationException">The router sorts before a router this job holds.</exception>
    /// <exception cref="ObjectDisposedException">The manager was disposed.</exception>
    internal bool TryAcquire(LockName name, string jobId, LockTimeout timeout) =>
        Synchronously(_acquirer.AcquireOneAsync(name, jobId, timeout, synchronous: true, CancellationToken.None)) is not null;

    /// <summary>Acquires one lock without blocking a thread while waiting; see <see cref="TryAcquire"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing is held.</exception>
    internal async ValueTask<bool> TryAcquireAsync(LockName name, string jobId, LockTimeout timeout, CancellationToken cancellationToken) =>
        await _acquirer.AcquireOneAsync(name, jobId, timeout, synchronous: false, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>
    /// Acquires several router locks in the given (ordinal, distinct) order, all or nothing: when one times out,
    /// those already taken are released again.
    /// </summary>
    internal bool TryAcquireAll(IReadOnlyList<LockName> sortedNames, string jobId, LockTimeout timeout) =>
        Synchronously(_acquirer.AcquireAllAsync(sortedNames, jobId, timeout, synchronous: true, CancellationToken.None)) is not null;

    /// <summary>Acquires several router locks all or nothing without blocking a thread; see <see cref="TryAcquireAll"/>.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; the locks taken so far are released again.</exception>
    internal async ValueTask<bool> TryAcquireAllAsync(IReadOnlyList<LockName> sortedNames, string jobId, LockTimeout timeout, CancellationToken cancellationToken) =>
        await _acquirer.AcquireAllAsync(sortedNames, jobId, timeout, synchronous: false, cancellationToken).ConfigureAwait(false) is not null;

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
        Synchronously(_acquirer.AcquireAllAsync(sortedNames, jobId, timeout, synchronous: true, CancellationToken.None)) is { } holds
            ? new RouterLockHold(this, holds, onReleased)
            : null;

    /// <summary>Acquires router locks as one hold without blocking a thread; see <see cref="TryHoldRouters"/>.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; the locks taken so far are released again.</exception>
    internal async ValueTask<RouterLockHold?> TryHoldRoutersAsync(
        IReadOnlyList<LockName> sortedNames, string jobId, LockTimeout timeout, Action<HeldLock>? onReleased, CancellationToken cancellationToken) =>
        await _acquirer.AcquireAllAsync(sortedNames, jobId, timeout, synchronous: false, cancellationToken).ConfigureAwait(false) is { } holds
            ? new RouterLockHold(this, holds, onReleased)
            : null;

    /// <inheritdoc cref="LockReleaser.Release"/>
    internal bool Release(LockName name, string jobId) => _releaser.Release(name, jobId);

    /// <inheritdoc cref="LockReleaser.ReleaseHeld"/>
    internal bool ReleaseHeld(HeldLock held) => _releaser.ReleaseHeld(held);

    /// <summary>Releases exactly this registry-lock hold, once (see <see cref="LockReleaser.ReleaseRegistryHold"/>).</summary>
    internal bool ReleaseRegistryHold(HeldLock held) => _releaser.ReleaseRegistryHold(held);

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

            using var semaphore = _semaphores.TryOpenExisting(name);
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
    /// <remarks>
    /// A lock whose semaphore does not exist is not held, and is left without one: opening it for the override would
    /// create it, a stray semaphore for a mistyped name. One created right after this look is opened as usual.
    /// </remarks>
    internal bool ForceRelease(LockName name) => GetValue(name) >= 0 && InFlight(name, _override.ForceRelease);

    /// <summary>Recovers the lock if its recorded owner died; used by waiters that never acquire (WaitForRouter).</summary>
    internal bool TryRecoverDeadOwner(LockName name) => InFlight(name, (lockName, semaphore) => _recovery.TryRecover(lockName, semaphore));

    /// <summary>Gets this manager's gate of a lock, or <see langword="null"/> when its locks have none (tests simulate a holder with it).</summary>
    internal LockGate? GateOf(LockName name) => _gates.For(name, _semaphores.GetOrOpen(name));

    /// <summary>Finds which of this manager's jobs holds a lock, if any.</summary>
    internal HeldLock? FindHeld(LockName name) => _held.Find(name);

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
            ProcessExitGuard.Unregister(this);

            // Asynchronous waiters re-check now and give up, instead of at the end of their probe slice.
            Watcher.WakeAll();
            _releaser.ReleaseRouters();
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

    /// <summary>
    /// Runs an operation on a lock's semaphore as an operation in flight: the handles stay open until it is done, so a
    /// concurrent Dispose never closes the semaphore between its record discard and its post.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The manager was disposed.</exception>
    private bool InFlight(LockName name, Func<LockName, NamedSemaphore, bool> operation)
    {
        _lifetime.Enter();
        try
        {
            return operation(name, _semaphores.GetOrOpen(name));
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

    /// <summary>Closes the handles; run by <see cref="LockLifetime"/> once the last operation in flight has left.</summary>
    private void CloseResources()
    {
        _deathWatch.Dispose();
        Watcher.Dispose();
        _semaphores.Dispose();
        _gates.Dispose();
        _records.Dispose();
    }
}
