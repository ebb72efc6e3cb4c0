using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Tsim.Registry;

/// <summary>
/// Configuration of a <see cref="RegistryManager"/>. Binds from the <c>registry_manager</c> section of the
/// Python specification's JSON configuration (snake_case keys), so one file configures both implementations.
/// </summary>
/// <remarks>
/// Options are validated when a manager is built (and at start-up when registered with
/// <c>ValidateOnStart</c>); an invalid value throws <see cref="OptionsValidationException"/> listing every failure.
/// </remarks>
public sealed class RegistryManagerOptions
{
    /// <summary>The registry directory of the specification.</summary>
    public const string DefaultRegistryDirectory = "/dev/shm/tsim";

    /// <summary>The semaphore name prefix of the specification (<c>/tsim-hosts-registry</c>, …).</summary>
    public const string DefaultSemaphorePrefix = "tsim";

    /// <summary>
    /// The longest prefix accepted. glibc stores a semaphore as <c>/dev/shm/sem.NAME</c>, so NAME is limited by
    /// NAME_MAX (255) minus "sem."; the prefix is kept short so that router names keep most of that room.
    /// </summary>
    public const int MaxSemaphorePrefixLength = 32;

    /// <summary>The largest retry count accepted; more would only hide a broken file system.</summary>
    public const int MaxRetryAttempts = 100;

    /// <summary>
    /// Gets or sets a value indicating whether the registry is enabled. A manager refuses to be built from
    /// options that disable it, so a configuration that switches the registry off cannot be half-honoured.
    /// </summary>
    /// <value>Default <see langword="true"/>. JSON key <c>enabled</c>.</value>
    [ConfigurationKeyName("enabled")]
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the directory that holds <c>hosts.json</c>, <c>host_leases.json</c> and <c>neighbor_leases.json</c>.</summary>
    /// <value>Default <c>/dev/shm/tsim</c>. Must be an absolute path. JSON key <c>registry_dir</c>.</value>
    [ConfigurationKeyName("registry_dir")]
    [Required]
    public string RegistryDirectory { get; set; } = DefaultRegistryDirectory;

    /// <summary>Gets or sets the directory of router owner records and notify files.</summary>
    /// <value>
    /// Default <see langword="null"/>, meaning <c>&lt;RegistryDirectory&gt;/locks</c> (the specification's default
    /// <c>/dev/shm/tsim/locks</c> follows the same rule). Must be an absolute path when set. JSON key <c>lock_dir</c>.
    /// </value>
    [ConfigurationKeyName("lock_dir")]
    public string? LockDirectory { get; set; }

    /// <summary>Gets or sets the default timeout of each kind of lock.</summary>
    /// <value>The specification's values; see <see cref="RegistryLockTimeouts"/>. JSON key <c>lock_timeouts</c>.</value>
    [ConfigurationKeyName("lock_timeouts")]
    [ValidateObjectMembers]
    public RegistryLockTimeouts LockTimeouts { get; set; } = new();

    /// <summary>Gets or sets how many times a registry file read or write is attempted when it fails with an I/O error.</summary>
    /// <value>Default 3; from 1 to <see cref="MaxRetryAttempts"/>. A corrupt file is never retried. JSON key <c>retry_attempts</c>.</value>
    [ConfigurationKeyName("retry_attempts")]
    [Range(1, MaxRetryAttempts)]
    public int RetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the pause between two attempts of a failed registry file read or write, in seconds.</summary>
    /// <value>Default 0.1; from 0 to 60. JSON key <c>retry_delay</c>.</value>
    [ConfigurationKeyName("retry_delay")]
    [Range(0.0, 60.0)]
    public double RetryDelaySeconds { get; set; } = 0.1;

    /// <summary>Gets or sets a value indicating whether every successful mutation is appended to the transaction log.</summary>
    /// <value>Default <see langword="false"/>. Requires <see cref="TransactionLogPath"/>. JSON key <c>enable_transaction_log</c>.</value>
    [ConfigurationKeyName("enable_transaction_log")]
    public bool EnableTransactionLog { get; set; }

    /// <summary>Gets or sets the JSON Lines file the transaction log appends to.</summary>
    /// <value>
    /// Default <see langword="null"/>. Required and absolute when <see cref="EnableTransactionLog"/> is set; its
    /// directory must exist and the file must be writable, or the manager is not built. JSON key <c>transaction_log_path</c>.
    /// </value>
    [ConfigurationKeyName("transaction_log_path")]
    public string? TransactionLogPath { get; set; }

    /// <summary>Gets or sets the prefix of every semaphore name (<c>/PREFIX-hosts-registry</c>, <c>/PREFIX-router-NAME</c>, …).</summary>
    /// <value>
    /// Default <c>tsim</c>, the specification's names, required to share a registry with Python processes. Give
    /// separate simulator instances (and tests) their own prefix so they never share semaphores by accident.
    /// Letters, digits, '.', '_' and '-', at most <see cref="MaxSemaphorePrefixLength"/> characters. Not part of the
    /// specification; JSON key <c>semaphore_prefix</c>.
    /// </value>
    [ConfigurationKeyName("semaphore_prefix")]
    [Required]
    public string SemaphorePrefix { get; set; } = DefaultSemaphorePrefix;

    /// <summary>
    /// Gets or sets how long a lock waiter waits before it checks whether the lock's recorded owner has died, in
    /// seconds. A lock whose owner died is recovered within about this interval.
    /// </summary>
    /// <value>
    /// Default 0.2; from 0.001 to 60. Each check reads one small file, so short intervals cost little. Not part of the
    /// specification; JSON key <c>lock_probe_interval</c>.
    /// </value>
    [ConfigurationKeyName("lock_probe_interval")]
    [Range(0.001, 60.0)]
    public double LockProbeIntervalSeconds { get; set; } = 0.2;

    /// <summary>Gets or sets the Unix group that shares the registry (group mode), or <see langword="null"/> for a private registry.</summary>
    /// <value>
    /// Default <see langword="null"/>: directories 0700, files and semaphores 0600, owned by the process's user. With a
    /// group: directories 2770, files and semaphores 0660 of that group, for hosts where several users (a web service and
    /// its operators) run jobs. The group must exist. Not part of the specification; JSON key <c>group</c>.
    /// </value>
    [ConfigurationKeyName("group")]
    public string? Group { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether SIGTERM and SIGINT release this manager's locks and end the process
    /// (exit status 128 + signal), so that a stopped job runner leaves no router locked.
    /// </summary>
    /// <value>
    /// Default <see langword="true"/>. Set it to <see langword="false"/> in a process that handles these signals
    /// itself and keeps running (or shuts down gracefully) after them: it must dispose the manager when done. Managers
    /// built by <c>AddTsimRegistry</c> never release on signals: the host's graceful shutdown disposes them. Normal
    /// process exit always releases. Not part of the specification; JSON key <c>release_locks_on_signal</c>.
    /// </value>
    [ConfigurationKeyName("release_locks_on_signal")]
    public bool ReleaseLocksOnSignal { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether Python processes of the reference implementation may use this registry
    /// at the same time, so that router locks keep the lock files Python looks at.
    /// </summary>
    /// <value>
    /// Default <see langword="true"/>: while a router is held, the file <c>LOCKDIR/PREFIX-router-NAME</c> exists and
    /// carries the owner record, which is what Python's <c>is_router_locked</c> and <c>wait_for_router</c> check.
    /// Creating and removing that file is most of a router lock cycle's cost (about 11 µs). Set it to
    /// <see langword="false"/> when only this library uses the registry: router owner records then live in a shared
    /// memory page (<c>LOCKDIR/.PREFIX-router-NAME.owner</c>) like the registry locks' records, with the same crash
    /// recovery, and a lock cycle costs a few microseconds. Python processes still respect the locks themselves (the
    /// semaphores are the same), but their <c>is_router_locked</c> and <c>wait_for_router</c> no longer see C# holders.
    /// Not part of the specification; JSON key <c>shared_with_python</c>.
    /// </value>
    [ConfigurationKeyName("shared_with_python")]
    public bool SharedWithPython { get; set; } = true;

    /// <summary>Gets the lock directory in effect: <see cref="LockDirectory"/>, or <c>&lt;RegistryDirectory&gt;/locks</c>.</summary>
    internal string EffectiveLockDirectory => LockDirectory ?? Path.Combine(RegistryDirectory, "locks");
}
