using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Tsim.Registry.Configuration;

namespace Tsim.Registry;

/// <summary>
/// Configuration of a <see cref="RegistryManager"/>. Binds from the <c>registry_manager</c> section of the
/// Python specification's JSON configuration (snake_case keys), so one file configures both implementations, or from a
/// whole configuration document in the specification's shape or in a tsim deployment's (<see cref="FromConfiguration"/>,
/// <see cref="FromJsonFile"/>).
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
    /// The longest prefix accepted. Every file named after a lock must fit NAME_MAX (255), the longest being its recovery
    /// guard <c>.PREFIX-router-ROUTER.recovery</c>; the prefix is kept short so that router names keep most of that room
    /// (205 characters with this prefix length).
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

    /// <summary>Gets or sets the directory that holds the registry files (<see cref="RegistryFiles"/>).</summary>
    /// <value>
    /// Default <c>/dev/shm/tsim</c>. Must be an absolute path. JSON key <c>registry_dir</c>; in a tsim document, the
    /// top-level <c>data_dir</c> (see <see cref="FromConfiguration"/>).
    /// </value>
    [ConfigurationKeyName("registry_dir")]
    [Required]
    public string RegistryDirectory { get; set; } = DefaultRegistryDirectory;

    /// <summary>Gets or sets the directory of router owner records and notify files.</summary>
    /// <value>
    /// Default <see langword="null"/>, meaning <c>&lt;RegistryDirectory&gt;/locks</c> (the specification's default
    /// <c>/dev/shm/tsim/locks</c> follows the same rule). Must be an absolute path when set. JSON key <c>lock_dir</c>, in
    /// the <c>registry_manager</c> section or at the top level of a tsim document (see <see cref="FromConfiguration"/>).
    /// </value>
    [ConfigurationKeyName("lock_dir")]
    public string? LockDirectory { get; set; }

    /// <summary>Gets or sets the names of the registry files in <see cref="RegistryDirectory"/>.</summary>
    /// <value>
    /// The specification's <c>hosts.json</c>, <c>host_leases.json</c> and <c>neighbor_leases.json</c>; a tsim deployment
    /// keeps its hosts in <c>host_registry.json</c>. Every part of the library (reads, writes, reaping, repair, status)
    /// uses these names. JSON key <c>registry_files</c>, in the <c>registry_manager</c> section or at the top level of a
    /// tsim document; see <see cref="RegistryFileNames"/> for what an entry may be.
    /// </value>
    [ConfigurationKeyName("registry_files")]
    public RegistryFileNames RegistryFiles { get; set; } = new();

    /// <summary>Gets or sets which registered hosts a new host's IP address must differ from.</summary>
    /// <value>
    /// Default <see cref="Tsim.Registry.IpCollisionScope.Global"/>, the specification's rule; a tsim document binds
    /// <see cref="Tsim.Registry.IpCollisionScope.Router"/> unless it says otherwise. Every process registering hosts on
    /// one registry must use the same scope, or one may register what another would refuse. JSON key
    /// <c>ip_collision_scope</c>, <c>global</c> or <c>router</c>. Not part of the specification.
    /// </value>
    [ConfigurationKeyName("ip_collision_scope")]
    public IpCollisionScope IpCollisionScope { get; set; } = IpCollisionScope.Global;

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
    /// Letters, digits, '.', '_' and '-', at most <see cref="MaxSemaphorePrefixLength"/> characters, starting with a
    /// letter or digit, not starting with <c>router_</c>, and without <c>-router</c> followed by '-' or the end (such a
    /// prefix's locks would be routers of a shorter prefix: <c>a-router-b</c>'s hosts lock is router
    /// <c>b-hosts-registry</c> of <c>a</c>). Not part of the specification; JSON key <c>semaphore_prefix</c>.
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
    /// group: directories 2770 (2775 accepted, as tsim makes them), files and semaphores 0660 of that group, for hosts
    /// where several users (a web service, its operators, tsim's own processes) run jobs; any member may have created
    /// them. A group name (tsim's is <c>tsim-users</c>), or a numeric group id; the group must exist or the id be
    /// numeric. Not part of the specification; JSON key <c>group</c>.
    /// </value>
    [ConfigurationKeyName("group")]
    public string? Group { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether Python processes of the reference implementation may use this registry
    /// at the same time, so that router locks keep the lock files Python looks at.
    /// </summary>
    /// <value>
    /// Default <see langword="true"/>: while a router is held, the file <c>LOCKDIR/PREFIX-router-NAME</c> exists and
    /// carries the owner record, which is what Python's <c>is_router_locked</c> and <c>wait_for_router</c> check.
    /// Creating and removing that file is most of a router lock cycle's cost (about 11 µs). Set it to
    /// <see langword="false"/> when only this library uses the registry: router owner records then live in a shared
    /// memory page (<c>LOCKDIR/.PREFIX-router-NAME.owner</c>) like the registry locks' records, and a lock cycle costs
    /// a few microseconds. Every lock then also has a gate: a lock on the semaphore's file, taken before the semaphore and
    /// held until after the post, which the kernel releases when its holder dies. A holder killed at any moment,
    /// even between acquiring and writing its owner record, is then recovered by the next process that takes the gate,
    /// so no lock stays held by a dead process. That rests on the declaration: a Python process that takes a lock of
    /// such a registry takes no gate, and can be granted the lock beside a C# holder: do not set it where Python
    /// processes take locks. Managers of this library left at <see langword="true"/> mark the semaphores they open and
    /// are safe. Not part of the specification; JSON key
    /// <c>shared_with_python</c>.
    /// </value>
    [ConfigurationKeyName("shared_with_python")]
    public bool SharedWithPython { get; set; } = true;

    /// <summary>Gets the lock directory in effect: <see cref="LockDirectory"/>, or <c>&lt;RegistryDirectory&gt;/locks</c>.</summary>
    internal string EffectiveLockDirectory => LockDirectory ?? Path.Combine(RegistryDirectory, "locks");

    /// <summary>
    /// Gets what a configuration document said that could not be bound as it stands (<see cref="FromConfiguration"/>):
    /// a setting given twice with two values, a key in the wrong place, an unknown IP scope. Validation refuses the
    /// options while there are any.
    /// </summary>
    internal List<ConfigurationError> ConfigurationErrors { get; } = [];

    /// <summary>
    /// Binds options from a configuration: a whole document, in the specification's shape or in a tsim deployment's, or
    /// a <c>registry_manager</c> section on its own.
    /// </summary>
    /// <param name="configuration">
    /// The document (for example the root built from tsim's <c>config.json</c>), or the section
    /// (<c>configuration.GetSection("registry_manager")</c>).
    /// </param>
    /// <returns>New options; validated when a manager is built from them.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configuration"/> is null.</exception>
    /// <remarks>
    /// <para>
    /// A configuration with a top-level <c>data_dir</c> and <c>registry_files</c> (both required by tsim) is a tsim
    /// document. One with a <c>registry_manager</c> section is the specification's document, read from that section
    /// (<c>registry_dir</c>, <c>lock_dir</c>, <c>lock_timeouts</c>, …). Anything else is read as the section itself.
    /// </para>
    /// <para>
    /// A tsim document binds as tsim reads it: <c>data_dir</c> is the registry directory, the top-level <c>lock_dir</c>
    /// the lock directory, the top-level <c>registry_files</c> the file names (a missing hosts entry meaning
    /// <c>host_registry.json</c>), the <c>registry_manager</c> section everything else, and IP addresses collide per
    /// router unless <c>registry_manager.ip_collision_scope</c> says otherwise. tsim's Unix group lives in another file
    /// of tsim's, so give it as <see cref="Group"/>.
    /// </para>
    /// <para>
    /// What cannot be bound as it stands makes validation refuse the options, naming the key, rather than being
    /// dropped: the same setting at the top level and in <c>registry_manager</c> with two values (<c>data_dir</c> and
    /// <c>registry_dir</c>, <c>lock_dir</c>, a <c>registry_files</c> entry), since either may be the one the operator
    /// edited; a key of the section at the top level of a tsim document (<c>semaphore_prefix</c>, <c>group</c>, …); a
    /// <c>data_dir</c> inside a section; an <c>ip_collision_scope</c> other than <c>global</c> or <c>router</c>.
    /// </para>
    /// </remarks>
    public static RegistryManagerOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new RegistryManagerOptions();
        RegistryConfiguration.Bind(configuration, options);
        return options;
    }

    /// <summary>
    /// Reads a JSON configuration file, such as a tsim host's <c>config.json</c> or a file in the specification's shape,
    /// and binds options from it as <see cref="FromConfiguration"/> does.
    /// </summary>
    /// <param name="path">The file; a relative path is taken from the current directory.</param>
    /// <param name="configure">
    /// Sets what the file does not say, after it is read: typically <see cref="Group"/>, which a tsim host keeps in
    /// another file of its own (<c>o =&gt; o.Group = "tsim-users"</c>).
    /// </param>
    /// <returns>New options; validated when a manager is built from them.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid JSON.</exception>
    public static RegistryManagerOptions FromJsonFile(string path, Action<RegistryManagerOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var options = FromConfiguration(new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false)
            .Build());
        configure?.Invoke(options);
        return options;
    }
}
