using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Locking;
using Tsim.Registry.Security;
using Tsim.Registry.Storage;

namespace Tsim.Registry;

/// <summary>
/// The one shared truth of a Tsim simulator host, safe across threads and processes: which simulated hosts exist
/// (no two with the same name, IP or MAC), who still uses a host (reference-counted leases), and which job holds a
/// router (exclusive locks, several at once without deadlock). Works on the same files and semaphores as the Python
/// RegistryManager, so both can run side by side.
/// </summary>
/// <remarks>
/// <para>
/// A <c>timeout</c> of <see langword="null"/> means the configured default of <see cref="RegistryManagerOptions.LockTimeouts"/>
/// (not infinite); <see cref="Timeout.InfiniteTimeSpan"/> waits for ever and <see cref="TimeSpan.Zero"/> tries once.
/// </para>
/// <para>
/// Dispose the manager when done: it releases every router lock it still holds, so a crashed job that at least
/// unwinds its stack leaves no router locked.
/// </para>
/// <para>
/// Services take it through its interfaces (<see cref="IRegistryManager"/>, or one role: <see cref="IHostRegistry"/>,
/// <see cref="ILeaseRegistry"/>, <see cref="IRouterLocks"/>), so that their tests can give them a fake; tests that
/// need a real registry of their own use <see cref="Testing.TemporaryRegistry"/>.
/// </para>
/// </remarks>
public sealed partial class RegistryManager : IRegistryManager, IDisposable
{
    private readonly RegistryManagerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly LockManager _locks;
    private readonly RegistryDocuments _documents;
    private readonly AuditLog? _auditLog;

    /// <summary>The audit callback of router scopes, made once so that a scope allocates no delegate of its own.</summary>
    private readonly Action<HeldLock> _auditScopeRelease;
    private int _disposed;

    /// <summary>Gets the lock manager every operation of this facade takes its locks through (for test processes that take a registry lock directly).</summary>
    internal LockManager Locks => _locks;

    /// <summary>Creates a manager from options, creating the registry and lock directories (mode 0700) if needed.</summary>
    /// <param name="options">The configuration; validated here.</param>
    /// <param name="logger">Where to log; nothing is logged when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every failure.</exception>
    /// <exception cref="RegistryException">A directory or the transaction log cannot be created or opened.</exception>
    public RegistryManager(RegistryManagerOptions options, ILogger<RegistryManager>? logger = null)
        : this(options, logger, TimeProvider.System)
    {
    }

    /// <summary>Creates a manager from options supplied by dependency injection.</summary>
    /// <param name="options">The configuration; validated here.</param>
    /// <param name="logger">Where to log; nothing is logged when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="OptionsValidationException">An option is invalid; the message lists every failure.</exception>
    /// <exception cref="RegistryException">A directory or the transaction log cannot be created or opened.</exception>
    public RegistryManager(IOptions<RegistryManagerOptions> options, ILogger<RegistryManager>? logger = null)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value, logger, TimeProvider.System)
    {
    }

    /// <param name="options">The configuration; validated here.</param>
    /// <param name="logger">Where to log.</param>
    /// <param name="timeProvider">The clock of owner records and timestamps.</param>
    internal RegistryManager(RegistryManagerOptions options, ILogger? logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Validate(options);

        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider;

        var lockDirectory = options.EffectiveLockDirectory;
        var policy = AccessPolicy.Create(options.Group);
        policy.EnsureDirectory(options.RegistryDirectory);
        policy.EnsureDirectory(lockDirectory);

        if (options.EnableTransactionLog)
        {
            // Opened now so that an unwritable path fails here, once, instead of on every operation; and before the
            // lock manager, which registers itself for release at process exit and so must not be left half built.
            _auditLog = AuditLog.Open(options.TransactionLogPath!, _logger, timeProvider, policy);
        }

        var files = new LockFiles(lockDirectory, _logger, policy);
        _locks = new LockManager(
            files,
            LockTimeout.FromSeconds(options.LockProbeIntervalSeconds),
            _logger,
            timeProvider,
            policy,
            routerLockFiles: options.SharedWithPython,
            semaphorePrefix: options.SemaphorePrefix);
        var io = new RegistryIO(options.RegistryDirectory, options.RetryAttempts, TimeSpan.FromSeconds(options.RetryDelaySeconds), _logger, policy);
        _documents = new RegistryDocuments(io, _locks, options);
        _auditScopeRelease = AuditScopeRelease;

        _logger.ManagerCreated(options.RegistryDirectory, lockDirectory, options.SemaphorePrefix);
    }

    /// <inheritdoc />
    public string RegistryDirectory => _options.RegistryDirectory;

    /// <inheritdoc />
    public string LockDirectory => _options.EffectiveLockDirectory;

    /// <inheritdoc />
    public string SemaphorePrefix => _options.SemaphorePrefix;

    /// <inheritdoc />
    public string HostsFilePath => _documents.Hosts.Document.Path;

    /// <inheritdoc />
    public string HostLeasesFilePath => _documents.HostLeases.Document.Path;

    /// <inheritdoc />
    public string NeighborLeasesFilePath => _documents.NeighborLeases.Document.Path;

    /// <inheritdoc />
    public IpCollisionScope IpCollisionScope => _documents.Hosts.IpScope;

    /// <summary>
    /// Releases every router lock this manager still holds (deleting owner records and notifying waiters), stops
    /// watching the lock directory, closes the semaphores and the transaction log. Safe to call more than once.
    /// </summary>
    /// <remarks>
    /// A call still running on another thread (a registration between reading and writing its file) keeps its
    /// registry lock: Dispose waits up to two seconds for such calls and never releases their lock under their
    /// write; a call that takes longer releases it itself when it ends. The semaphores close after the last one.
    /// </remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _locks.Dispose();
        _auditLog?.Dispose();
        _logger.ManagerDisposed(_options.RegistryDirectory);
    }

    private static void Validate(RegistryManagerOptions options)
    {
        // The same validators AddTsimRegistry registers: ValidateOnStart does nothing without a host, so the
        // constructor runs them itself.
        var failures = new List<string>();
        foreach (IValidateOptions<RegistryManagerOptions> validator in
            (IValidateOptions<RegistryManagerOptions>[])[new RegistryManagerOptionsValidator(), new RegistryManagerOptionsConsistencyValidator()])
        {
            var result = validator.Validate(Options.DefaultName, options);
            if (result.Failed)
            {
                failures.AddRange(result.Failures);
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RegistryManagerOptions), failures);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed != 0, this);

    /// <summary>Appends an audit line; never throws for a manager disposed by another thread meanwhile.</summary>
    private void Audit(string operation, Action<System.Text.Json.Utf8JsonWriter> writeDetails)
    {
        try
        {
            _auditLog?.Append(operation, writeDetails);
        }
        catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) != 0)
        {
            // Another thread disposed the manager (closing the log) after this call made its change, e.g. a call that
            // Dispose waited for: the change stands and the call reports it; only its audit line is missing.
        }
    }

    private double UnixNow() => UnixSeconds(_timeProvider.GetUtcNow());

    /// <summary>Unix seconds with sub-second precision, as Python's <c>time.time()</c> writes them.</summary>
    private static double UnixSeconds(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;

    private static DateTimeOffset FromUnixSeconds(double seconds) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
}
