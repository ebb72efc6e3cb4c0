using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Interop;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Testing;

/// <summary>
/// A real registry of a test's own: a new directory and a random semaphore prefix that no deployment and no other test
/// uses, with managers on it; disposing it releases what they hold, unlinks exactly the prefix's semaphores and removes
/// the directory.
/// </summary>
/// <remarks>
/// <para>
/// Use one per test, or per test class (xunit's <c>IClassFixture&lt;TemporaryRegistry&gt;</c>: it has a parameterless
/// constructor). Registries never see each other's hosts, leases or locks, so tests that each have one run in
/// parallel under any test framework. <see cref="Manager"/> is ready to use; <see cref="CreateManager(Action{RegistryManagerOptions})"/> adds managers
/// on the same registry, each with locks of its own, as separate job runners would have; <see cref="WriteConfigurationFile"/>
/// gives a child process the options it needs to join.
/// </para>
/// <para>
/// Everything is inside <see cref="Directory"/>: the registry (<see cref="RegistryDirectory"/>, made by the first
/// manager as a deployment's would be, with its lock directory <c>locks</c>) and the configuration files written for
/// child processes. It is named <c>PREFIX.PID-STARTTIME-PIDNS</c> after the process that created it, so that
/// <see cref="RemoveLeftovers"/> can tell the registries of killed test processes from those of running ones.
/// Semaphores live in <c>/dev/shm</c> whatever the parent directory, as <c>sem.PREFIX-*</c>.
/// </para>
/// <para>
/// Stop child processes and dispose managers made without <see cref="CreateManager(Action{RegistryManagerOptions})"/> (by dependency injection
/// through <see cref="Configure"/>, for example) before disposing the registry: it removes the semaphores and files
/// under them.
/// </para>
/// </remarks>
public sealed class TemporaryRegistry : IDisposable, IAsyncDisposable
{
    /// <summary>Where registries are created unless <see cref="TemporaryRegistryOptions.ParentDirectory"/> says otherwise.</summary>
    public const string DefaultParentDirectory = "/dev/shm";

    /// <summary>How every temporary registry's prefix starts; 16 random hexadecimal digits follow.</summary>
    public const string PrefixStart = "tmpreg";

    private const int RandomDigits = 16;

    private const string SemaphoreDirectory = "/dev/shm";

    /// <summary>How long Dispose waits for calls of its managers still running on other threads.</summary>
    private static readonly TimeSpan s_inFlightGrace = TimeSpan.FromSeconds(5);

    private readonly List<RegistryManager> _managers = [];
    private readonly Lock _gate = new();
    private readonly Lock _managerGate = new();
    private readonly Action<RegistryManagerOptions>? _configureManagers;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private RegistryManager? _manager;
    private int _configurationFiles;
    private bool _disposed;

    /// <summary>
    /// Creates a registry in <c>/dev/shm</c> with default options. The only public constructor, so that test frameworks
    /// can build it as a fixture; <see cref="Create"/> takes options.
    /// </summary>
    /// <exception cref="RegistryException">The directory cannot be created.</exception>
    public TemporaryRegistry()
        : this(new TemporaryRegistryOptions())
    {
    }

    private TemporaryRegistry(TemporaryRegistryOptions options)
    {
        _configureManagers = options.ConfigureManagers;
        _loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<TemporaryRegistry>();
        (SemaphorePrefix, Directory) = CreateDirectory(Path.GetFullPath(options.ParentDirectory));
        try
        {
            _ = CreateOptions(); // ConfigureManagers is checked now, not at the first manager.
        }
        catch
        {
            _ = DeleteDirectory(Directory);
            throw;
        }
    }

    /// <summary>Creates a registry as <paramref name="options"/> says.</summary>
    /// <param name="options">Where, and what the managers share.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <see cref="TemporaryRegistryOptions.ParentDirectory"/> is empty or not absolute, or
    /// <see cref="TemporaryRegistryOptions.ConfigureManagers"/> moves a directory out of the registry's or changes the prefix.
    /// </exception>
    /// <exception cref="RegistryException">The directory cannot be created.</exception>
    /// <returns>The registry; the caller disposes it.</returns>
    public static TemporaryRegistry Create(TemporaryRegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.ParentDirectory) || !Path.IsPathFullyQualified(options.ParentDirectory))
        {
            throw new ArgumentException($"The parent directory must be an absolute path (got '{options.ParentDirectory}').", nameof(options));
        }

        return new TemporaryRegistry(options);
    }

    /// <summary>
    /// Gets the temporary directory that holds everything of this registry, created empty (mode 0711: other users, such
    /// as child processes run as another user, may pass through it to the registry, but not list it).
    /// </summary>
    public string Directory { get; }

    /// <summary>
    /// Gets the registry directory, <c>registry</c> in <see cref="Directory"/>: where the registry files are, and the lock
    /// directory <c>locks</c>. Created by the first manager (not by the constructor), with the modes the options ask for.
    /// </summary>
    public string RegistryDirectory => Path.Combine(Directory, "registry");

    /// <summary>Gets the registry's semaphore prefix: <see cref="PrefixStart"/> and 16 random hexadecimal digits.</summary>
    public string SemaphorePrefix { get; }

    /// <summary>Gets the registry's first manager, created on first use and disposed with the registry.</summary>
    /// <exception cref="ObjectDisposedException">The registry is disposed.</exception>
    public RegistryManager Manager
    {
        get
        {
            // A gate of its own: creating the manager takes _gate (CreateManager), and must not race a second creation.
            lock (_managerGate)
            {
                lock (_gate)
                {
                    ObjectDisposedException.ThrowIf(_disposed, this);
                }

                return _manager ??= CreateManager();
            }
        }
    }

    /// <summary>
    /// Sets <paramref name="options"/> to this registry: its directory and prefix, then
    /// <see cref="TemporaryRegistryOptions.ConfigureManagers"/>. Pass it where options are configured, as in
    /// <c>services.AddTsimRegistry(registry.Configure)</c>.
    /// </summary>
    /// <param name="options">The options to set.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <see cref="TemporaryRegistryOptions.ConfigureManagers"/> moved a directory out of this registry's, or changed the prefix.
    /// </exception>
    public void Configure(RegistryManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RegistryDirectory = RegistryDirectory;
        options.LockDirectory = null;
        options.SemaphorePrefix = SemaphorePrefix;
        _configureManagers?.Invoke(options);
        ThrowIfNotIsolated(options, nameof(TemporaryRegistryOptions.ConfigureManagers));
    }

    /// <summary>Creates options for this registry (<see cref="Configure"/>), adjusted by <paramref name="configure"/>.</summary>
    /// <param name="configure">Sets what this use needs on top, or <see langword="null"/>.</param>
    /// <returns>New options; the caller owns them.</returns>
    /// <exception cref="ArgumentException">A directory was moved out of this registry's, or the prefix changed.</exception>
    public RegistryManagerOptions CreateOptions(Action<RegistryManagerOptions>? configure = null)
    {
        var options = new RegistryManagerOptions();
        Configure(options);
        configure?.Invoke(options);
        ThrowIfNotIsolated(options, nameof(configure));
        return options;
    }

    /// <summary>
    /// Creates another manager on this registry, with locks of its own (a second job runner, in one process), disposed
    /// with the registry.
    /// </summary>
    /// <param name="configure">Sets what this manager needs on top of <see cref="TemporaryRegistryOptions.ConfigureManagers"/>, or <see langword="null"/>.</param>
    /// <returns>The manager. Disposing it earlier is allowed.</returns>
    /// <exception cref="ObjectDisposedException">The registry is disposed.</exception>
    /// <exception cref="ArgumentException">A directory was moved out of this registry's, or the prefix changed.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public RegistryManager CreateManager(Action<RegistryManagerOptions>? configure = null) => CreateManager(configure, TimeProvider.System);

    /// <summary>Creates another manager on this registry that reads its time from <paramref name="timeProvider"/>.</summary>
    internal RegistryManager CreateManager(Action<RegistryManagerOptions>? configure, TimeProvider timeProvider)
    {
        var options = CreateOptions(configure);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var manager = new RegistryManager(options, _loggerFactory.CreateLogger<RegistryManager>(), timeProvider);
            _managers.Add(manager);
            return manager;
        }
    }

    /// <summary>
    /// Writes this registry's options (<see cref="CreateOptions"/>) as a configuration document, for a child process to
    /// join the registry: the <c>tsim-registry</c> command reads it with <c>--config PATH</c>, a .NET program with
    /// <see cref="RegistryManagerOptions.FromJsonFile"/> or <c>AddTsimRegistry</c> on a JSON configuration.
    /// </summary>
    /// <param name="configure">Sets what the child needs on top, or <see langword="null"/>.</param>
    /// <returns>The path of the new file, inside <see cref="Directory"/>; removed with the registry.</returns>
    /// <exception cref="ObjectDisposedException">The registry is disposed.</exception>
    /// <exception cref="ArgumentException">A directory was moved out of this registry's, or the prefix changed.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public string WriteConfigurationFile(Action<RegistryManagerOptions>? configure = null)
    {
        var options = CreateOptions(configure);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        var number = Interlocked.Increment(ref _configurationFiles).ToString(CultureInfo.InvariantCulture);
        var path = Path.Combine(Directory, $"registry-config-{number}.json");
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            Configuration.RegistryConfigurationWriter.Write(file, options);
        }

        return path;
    }

    /// <summary>
    /// Disposes the managers this registry created (releasing every lock they hold), unlinks the semaphores of its
    /// prefix (<c>/dev/shm/sem.PREFIX-*</c>, its lock directory binding included) and removes its directory. Never
    /// throws: what cannot be removed is logged and left to <see cref="RemoveLeftovers"/>.
    /// </summary>
    public void Dispose()
    {
        RegistryManager[] managers;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            managers = [.. _managers];
            _managers.Clear();
        }

        for (var i = managers.Length - 1; i >= 0; i--)
        {
            try
            {
                managers[i].Dispose();
            }
            catch (RegistryException ex)
            {
                // A lock the manager could not release is released by the semaphore's removal below.
                _logger.TemporaryRegistryCleanupFailed(Directory, SemaphorePrefix, ex);
            }
        }

        // A call still running on another thread keeps its manager's lock layer open past Dispose, and may still open
        // (create) a semaphore; once every manager's is closed, nothing of theirs creates anything any more.
        if (!SpinWait.SpinUntil(() => managers.All(manager => manager.Locks.IsClosed), s_inFlightGrace))
        {
            _logger.TemporaryRegistryCleanupIncomplete(Directory, s_inFlightGrace.TotalMilliseconds);
        }

        // Semaphores first, then the directory: a test process killed in between leaves a directory that names it,
        // which RemoveLeftovers finds, never semaphores with nothing to say whose they were.
        Remove(Directory, SemaphorePrefix, _logger);
    }

    /// <summary>Disposes the registry; see <see cref="Dispose"/>. Cleaning up never blocks on I/O that can wait.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Removes what test processes that were killed left behind: the temporary registries in
    /// <paramref name="parentDirectory"/> whose creating process has exited, with their semaphores. Registries of
    /// running processes and of processes of another pid namespace (which cannot be judged from here), symbolic links,
    /// and names that are not a temporary registry's are left alone, and so are the semaphores of a prefix bound to a
    /// lock directory outside the registry being removed (the directory's name claims a prefix that is another's).
    /// </summary>
    /// <param name="parentDirectory">Where to look for registries; <see langword="null"/> = <see cref="DefaultParentDirectory"/>.</param>
    /// <param name="logger">Where to log what was left alone and why (a leftover of another user, say); <see langword="null"/> = nowhere.</param>
    /// <returns>The semaphore files and directories removed.</returns>
    /// <exception cref="ArgumentException"><paramref name="parentDirectory"/> is empty or not absolute.</exception>
    /// <remarks>
    /// Call it before a test run (a CI job's first step, or an assembly-level setup), or run <c>tsim-registry remove-temporary</c>.
    /// A leftover it cannot remove is logged and skipped; the others are still removed.
    /// </remarks>
    public static IReadOnlyList<string> RemoveLeftovers(string? parentDirectory = null, ILogger? logger = null)
    {
        parentDirectory ??= DefaultParentDirectory;
        if (parentDirectory.Length == 0 || !Path.IsPathFullyQualified(parentDirectory))
        {
            throw new ArgumentException($"The parent directory must be an absolute path (got '{parentDirectory}').", nameof(parentDirectory));
        }

        logger ??= NullLogger.Instance;
        var parent = new DirectoryInfo(Path.TrimEndingDirectorySeparator(Path.GetFullPath(parentDirectory)));
        var removed = new List<string>();
        if (!parent.Exists)
        {
            return removed;
        }

        foreach (var entry in parent.EnumerateDirectories(PrefixStart + "*"))
        {
            // A symbolic link is nobody's registry: never followed, never removed. Another user's registry is theirs to
            // remove (only root may remove anyone's, as a CI machine's clean-up does).
            if (entry.LinkTarget is not null ||
                !TemporaryRegistryName.TryParse(entry.Name, out var prefix, out var creator) ||
                !IsOwnedBySweeper(entry.FullName) ||
                !creator.HasExited())
            {
                continue;
            }

            try
            {
                // The name claims the prefix; the binding says whose its semaphores are. A registry's own binding names
                // a lock directory inside it; any other is a live registry's, named by a directory that only looks like one.
                if (PrefixBinding.ReadBoundLockDirectory(prefix) is { } bound && !IsWithin(bound, entry.FullName))
                {
                    logger.TemporaryRegistryLeftoverSkipped(entry.FullName, $"the semaphores of prefix {prefix} belong to lock directory {bound}");
                    continue;
                }

                removed.AddRange(RemoveSemaphores(prefix));
                if (DeleteDirectory(entry.FullName) is { } failure)
                {
                    logger.TemporaryRegistryLeftoverSkipped(entry.FullName, failure.Message);
                    continue;
                }

                removed.Add(entry.FullName);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or RegistryException)
            {
                logger.TemporaryRegistryLeftoverSkipped(entry.FullName, ex.Message);
            }
        }

        return removed;
    }

    private static (string Prefix, string Directory) CreateDirectory(string parent)
    {
        System.IO.Directory.CreateDirectory(parent);
        var creator = ProcessIdentity.Current;
        for (var attempt = 0; ; attempt++)
        {
            var prefix = PrefixStart + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(RandomDigits / 2));
            var directory = Path.Combine(parent, TemporaryRegistryName.Format(prefix, creator));

            // mkdir, not CreateDirectory: a directory that already exists is someone else's.
            if (Libc.Mkdir(directory, 0b111_001_001) == 0)
            {
                // mkdir's mode passes through the umask; a restrictive one (077) would shut other users out.
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
                return (prefix, directory);
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EEXIST || attempt == 3)
            {
                throw Errors.ForPath(errno, directory, "create the temporary registry directory");
            }
        }
    }

    /// <summary>Tells whether the entry itself (not a link's target) belongs to this process's user, or this process is root.</summary>
    private static bool IsOwnedBySweeper(string path)
    {
        var user = Libc.GetEUid();
        return user == 0 ||
            (Libc.Statx(StatxConstants.AT_FDCWD, path, StatxConstants.AT_SYMLINK_NOFOLLOW, StatxConstants.STATX_BASIC_STATS, out var status) == 0 && status.Uid == user);
    }

    /// <summary>Throws unless every path the options name stays inside this registry's directory and the prefix is this registry's.</summary>
    private void ThrowIfNotIsolated(RegistryManagerOptions options, string paramName)
    {
        if (!string.Equals(options.SemaphorePrefix, SemaphorePrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"A temporary registry's managers use its own semaphore prefix '{SemaphorePrefix}' (got '{options.SemaphorePrefix}'): another prefix could be a real registry's or another test's.",
                paramName);
        }

        foreach (var (name, path) in new[]
        {
            (nameof(RegistryManagerOptions.RegistryDirectory), options.RegistryDirectory),
            (nameof(RegistryManagerOptions.LockDirectory), options.LockDirectory),
            (nameof(RegistryManagerOptions.TransactionLogPath), options.TransactionLogPath),
        })
        {
            if (path is not null && !IsInside(path))
            {
                throw new ArgumentException(
                    $"{name} '{path}' is outside the temporary registry's directory '{Directory}', where nothing would remove it and where other tests or a real registry may be.",
                    paramName);
            }
        }
    }

    private bool IsInside(string path) => path.Length > 0 && IsWithin(Path.GetFullPath(path, Directory), Directory);

    /// <summary>Tells whether the full path <paramref name="path"/> is <paramref name="directory"/> or inside it.</summary>
    private static bool IsWithin(string path, string directory) =>
        path == directory || path.StartsWith(directory + "/", StringComparison.Ordinal);

    private static void Remove(string directory, string prefix, ILogger logger)
    {
        try
        {
            _ = RemoveSemaphores(prefix);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or RegistryException)
        {
            logger.TemporaryRegistryCleanupFailed(directory, prefix, ex);
        }

        if (DeleteDirectory(directory) is { } failure)
        {
            logger.TemporaryRegistryCleanupFailed(directory, prefix, failure);
        }
    }

    /// <summary>Unlinks every semaphore of <paramref name="prefix"/>, the lock directory binding included; returns their files.</summary>
    private static List<string> RemoveSemaphores(string prefix)
    {
        var removed = new List<string>();

        // A temporary prefix is PrefixStart and a fixed number of hexadecimal digits, so 'sem.PREFIX-*' matches no other
        // temporary registry's names, and no deployment's.
        foreach (var file in System.IO.Directory.EnumerateFiles(SemaphoreDirectory, "sem." + prefix + "-*"))
        {
            if (NamedSemaphore.Unlink("/" + Path.GetFileName(file)["sem.".Length..]))
            {
                removed.Add(file);
            }
        }

        return removed;
    }

    /// <summary>Deletes a directory tree; returns what went wrong, or <see langword="null"/> when it is gone.</summary>
    private static Exception? DeleteDirectory(string directory)
    {
        // A second try covers a file that a child process (which should have been stopped) created during the first.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                DirectoryTree.Delete(directory);
                return null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (attempt == 1)
                {
                    return ex;
                }
            }
        }
    }
}
