using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Tests.Infrastructure;

/// <summary>
/// One test's private registry: a <see cref="TemporaryRegistry"/> (the public helper, so that every unit test
/// exercises it) with what unit tests need beside it: raw semaphores and lock managers on the same prefix, paths of
/// lock files and slots, snapshots. Dispose disposes everything tracked here, then the temporary registry, and checks
/// that it left neither its directory nor a semaphore of its prefix behind.
/// </summary>
internal sealed class RegistryTestContext : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly Lock _gate = new();
    private readonly TemporaryRegistry _registry = new();

    public string RegistryDirectory => _registry.RegistryDirectory;

    public string LockDirectory => Path.Combine(RegistryDirectory, "locks");

    public string Prefix => _registry.SemaphorePrefix;

    /// <summary>Gets the temporary registry under this context.</summary>
    public TemporaryRegistry Registry => _registry;

    public string HostsPath => Path.Combine(RegistryDirectory, "hosts.json");

    public string HostLeasesPath => Path.Combine(RegistryDirectory, "host_leases.json");

    public string NeighborLeasesPath => Path.Combine(RegistryDirectory, "neighbor_leases.json");

    /// <summary>
    /// Options on this registry, adjusted by <paramref name="configure"/>; unlike <see cref="TemporaryRegistry.CreateOptions"/>,
    /// a test may point them anywhere (to test what the library does with what it is given).
    /// </summary>
    public RegistryManagerOptions CreateOptions(Action<RegistryManagerOptions>? configure = null)
    {
        var options = new RegistryManagerOptions();
        _registry.Configure(options);
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A manager of the temporary registry (<see cref="TemporaryRegistry.CreateManager(Action{RegistryManagerOptions})"/>), disposed with it.</summary>
    public RegistryManager CreateManager(Action<RegistryManagerOptions>? configure = null, TimeProvider? timeProvider = null) =>
        _registry.CreateManager(configure, timeProvider ?? TimeProvider.System);

    /// <summary>Makes sure the registry and lock directories exist without building a manager.</summary>
    public void EnsureDirectories() => Directory.CreateDirectory(LockDirectory);

    /// <summary>
    /// A lock manager on this context's lock directory and prefix (probe interval 0.2 s), disposed with the context.
    /// The directories are created first.
    /// </summary>
    internal LockManager CreateLockManager(TimeProvider? timeProvider = null, TimeSpan? disposeGrace = null)
    {
        EnsureDirectories();
        var locks = new LockManager(
            new LockFiles(LockDirectory, NullLogger.Instance), LockTimeout.FromSeconds(0.2), NullLogger.Instance, timeProvider ?? TimeProvider.System)
        {
            DisposeGrace = disposeGrace ?? LockLifetime.RegistryCallGrace,
        };
        return Track(locks);
    }

    public T Track<T>(T disposable)
        where T : IDisposable
    {
        lock (_gate)
        {
            _owned.Add(disposable);
        }

        return disposable;
    }

    public string RouterLockName(string routerName) => LockName.Router(Prefix, routerName).Value;

    public string OwnerRecordPath(string routerName) => Path.Combine(LockDirectory, RouterLockName(routerName));

    public string NotifyPath(string routerName) => Path.Combine(LockDirectory, LockName.NotifyFileName(routerName));

    public string HostsLockName => LockName.HostsRegistry(Prefix).Value;

    public string HostLeasesLockName => LockName.HostLeases(Prefix).Value;

    public string NeighborLeasesLockName => LockName.NeighborLeases(Prefix).Value;

    /// <summary>Reads a semaphore's value through a raw handle: -1 when it does not exist, 0 held, 1 free.</summary>
    public static int SemaphoreValue(string lockName)
    {
        using var semaphore = NamedSemaphore.TryOpenExisting("/" + lockName);
        return semaphore?.GetValue() ?? -1;
    }

    public int RouterSemaphoreValue(string routerName) => SemaphoreValue(RouterLockName(routerName));

    /// <summary>Opens (creating if needed) a raw handle on one of this test's semaphores; closed on Dispose.</summary>
    public NamedSemaphore OpenSemaphore(string lockName) => Track(NamedSemaphore.OpenOrCreate("/" + lockName));

    /// <summary>The semaphores of this context's prefix; not its lock directory binding (<see cref="PrefixBinding"/>), which shares the naming.</summary>
    public string[] SemaphoreFiles() => [.. Directory.GetFiles("/dev/shm", $"sem.{Prefix}-*").Where(path => path != BindingPath)];

    /// <summary>The file that binds this context's prefix to its lock directory (<see cref="PrefixBinding"/>).</summary>
    public string BindingPath => $"/dev/shm/sem.{Prefix}{PrefixBinding.NameSuffix}";

    /// <summary>Every file under the registry directory (recursively) with its bytes, keyed by relative path.</summary>
    public IReadOnlyDictionary<string, string> Snapshot()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(RegistryDirectory))
        {
            return result;
        }

        foreach (var path in Directory.EnumerateFileSystemEntries(RegistryDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RegistryDirectory, path);
            if (IsOwnerRecordSlot(path))
            {
                // A slot's sequence number changes with every lock cycle, which is lock state, not registry data; what
                // must not change is whether it holds a record. A free slot reads as no file at all.
                var slot = SlotFile.Read(path);
                if (!slot.Usable)
                {
                    result[relative] = "<unusable record>";
                }
                else if (slot.Record.Length > 0)
                {
                    result[relative] = "<held by " + System.Text.Encoding.UTF8.GetString(slot.Record) + ">";
                }

                continue;
            }

            result[relative] = Directory.Exists(path) ? "<dir>" : Convert.ToBase64String(File.ReadAllBytes(path));
        }

        return result;
    }

    /// <summary>
    /// The owner record in a lock's slot file (<c>LOCKDIR/.LOCKNAME.owner</c>), or null when it holds none; see
    /// <see cref="SlotFile.Record"/> (which throws when there is no slot file or its record is unusable).
    /// </summary>
    public static string? SlotRecord(string slotPath) => SlotFile.Record(slotPath);

    /// <summary>The path of a lock's owner record slot.</summary>
    public string SlotPath(string lockName) => Path.Combine(LockDirectory, LockName.Parse(Prefix, lockName, nameof(lockName)).SlotFileName);

    private static bool IsOwnerRecordSlot(string path) =>
        Path.GetFileName(path) is { } name && name.StartsWith('.') && name.EndsWith(".owner", StringComparison.Ordinal);

    public string[] TemporaryFiles() =>
        Directory.Exists(RegistryDirectory)
            ? [.. Directory.EnumerateFiles(RegistryDirectory, "*", SearchOption.AllDirectories).Where(p => p.EndsWith(".tmp", StringComparison.Ordinal))]
            : [];

    public void Dispose()
    {
        List<IDisposable> owned;
        lock (_gate)
        {
            owned = [.. _owned];
            _owned.Clear();
        }

        for (var i = owned.Count - 1; i >= 0; i--)
        {
            owned[i].Dispose();
        }

        _registry.Dispose();

        // The temporary registry logs what it cannot remove and carries on; a test's cleanup must not.
        string[] left = [.. Directory.GetFiles("/dev/shm", $"sem.{Prefix}-*")];
        if (Directory.Exists(_registry.Directory) || left.Length > 0)
        {
            throw new InvalidOperationException(
                $"The temporary registry left {(Directory.Exists(_registry.Directory) ? _registry.Directory : "no directory")} and {left.Length} semaphore file(s) behind: {string.Join(", ", left)}");
        }
    }
}
