using System.Globalization;
using Tsim.Registry.Locking;

namespace Tsim.Registry.IntegrationTests.Infrastructure;

/// <summary>
/// A private registry for one test: a <see cref="TemporaryRegistry"/> (the public helper, so that every integration
/// test exercises it), and workers and managers that use it. <see cref="Dispose"/> kills the workers, then disposes
/// the temporary registry (its managers, <c>/dev/shm/sem.PREFIX-*</c>, its directory).
/// </summary>
public sealed class RegistryFixture : IDisposable
{
    private readonly List<WorkerProcess> _workers = [];
    private readonly TemporaryRegistry _registry = new();

    public RegistryFixture()
    {
        Prefix = _registry.SemaphorePrefix;
        System.IO.Directory.CreateDirectory(Directory); // Tests plant files before any manager or worker runs.
    }

    /// <summary>
    /// A registry whose workers use the temporary registry's prefix with <paramref name="prefixSuffix"/> appended (the
    /// longest names need a longer prefix than a temporary registry has); this fixture unlinks its semaphores.
    /// </summary>
    public RegistryFixture(string prefixSuffix)
    {
        Prefix = _registry.SemaphorePrefix + prefixSuffix;
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>Gets the temporary registry under this fixture.</summary>
    public TemporaryRegistry Registry => _registry;

    /// <summary>Gets the registry directory (the lock directory is its <c>locks</c> subdirectory).</summary>
    public string Directory => _registry.RegistryDirectory;

    /// <summary>Gets the semaphore name prefix.</summary>
    public string Prefix { get; }

    /// <summary>Gets the lock directory: <c>locks</c> in the registry directory, the default of both implementations.</summary>
    public string LockDirectory => Path.Combine(Directory, "locks");

    /// <summary>Gets the path of a file in the registry directory.</summary>
    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>Creates a scratch directory inside the registry directory (for marker files).</summary>
    public string CreateScratchDirectory(string name) => System.IO.Directory.CreateDirectory(PathOf(name)).FullName;

    /// <summary>
    /// Gets the lock file <c>LOCKDIR/PREFIX-LOCKSUFFIX</c> (e.g. <c>router-r1</c>), which exists exactly while a router of a
    /// registry shared with Python is held.
    /// </summary>
    public string LockFilePath(string lockSuffix) => Path.Combine(LockDirectory, Lock(lockSuffix).OwnerRecordFileName);

    /// <summary>Gets the owner record slot file <c>LOCKDIR/.PREFIX-LOCKSUFFIX.owner</c>.</summary>
    public string SlotPath(string lockSuffix) => Path.Combine(LockDirectory, Lock(lockSuffix).SlotFileName);

    /// <summary>The lock named by what follows the prefix: <c>router-r1</c>, <c>hosts-registry</c>, …</summary>
    internal LockName Lock(string lockSuffix) => LockName.Parse(Prefix, $"{Prefix}-{lockSuffix}", nameof(lockSuffix));

    /// <summary>
    /// The owner record JSON in a lock's slot, or <see langword="null"/> when there is no slot file or it holds no
    /// record; an unusable record throws (<see cref="SlotFile.Record"/>).
    /// </summary>
    public string? SlotRecord(string lockSuffix) => File.Exists(SlotPath(lockSuffix)) ? SlotFile.Record(SlotPath(lockSuffix)) : null;

    /// <summary>The owner record JSON of a router (in its slot, whatever the holder's setting), or <see langword="null"/> when there is none.</summary>
    public string? RouterOwnerRecord(string router) => SlotRecord($"router-{router}");

    /// <summary>The worker options for a <see cref="RegistryManagerOptions.SharedWithPython"/> setting.</summary>
    public static string[] SharedWithPythonOptions(bool sharedWithPython) => sharedWithPython ? [] : ["--no-shared-with-python"];

    /// <summary>Creates a manager on this registry (options adjusted by <paramref name="configure"/>), disposed with the fixture.</summary>
    public RegistryManager CreateManager(Action<RegistryManagerOptions>? configure = null) =>
        Prefix == _registry.SemaphorePrefix
            ? _registry.CreateManager(configure)
            : throw new NotSupportedException("A fixture with a prefix suffix runs workers only.");

    /// <summary>Starts a worker: <c>COMMAND ARGS --registry-dir DIR --prefix PREFIX</c>.</summary>
    public WorkerProcess StartWorker(string command, params string[] arguments)
    {
        var worker = WorkerProcess.Start([command, .. arguments, "--registry-dir", Directory, "--prefix", Prefix]);
        lock (_workers)
        {
            _workers.Add(worker);
        }

        return worker;
    }

    /// <summary>Starts a worker per argument list, waits until each prints <c>ready</c>, then sends all of them <c>go</c>.</summary>
    public async Task<WorkerProcess[]> StartTogetherAsync(string command, params string[][] argumentLists)
    {
        var workers = argumentLists.Select(arguments => StartWorker(command, arguments)).ToArray();
        foreach (var worker in workers)
        {
            await worker.ExpectAsync("ready");
        }

        foreach (var worker in workers)
        {
            worker.SendLine("go");
        }

        return workers;
    }

    /// <summary>
    /// The semaphores this fixture's prefix has in /dev/shm (glibc names them <c>sem.NAME</c>); not the prefix's lock
    /// directory binding, which shares the naming (<see cref="Tsim.Registry.Locking.PrefixBinding"/>).
    /// </summary>
    public IReadOnlyList<string> SemaphoreFiles() =>
        [.. System.IO.Directory.GetFiles("/dev/shm", $"sem.{Prefix}-*").Where(path => path != BindingPath)];

    /// <summary>The file that binds this fixture's prefix to its lock directory (<see cref="Tsim.Registry.Locking.PrefixBinding"/>).</summary>
    public string BindingPath => $"/dev/shm/sem.{Prefix}{Tsim.Registry.Locking.PrefixBinding.NameSuffix}";

    public void Dispose()
    {
        foreach (var worker in _workers)
        {
            worker.Dispose();
        }

        // Killed workers may have left temp files; the temporary registry removes the whole directory all the same.
        _registry.Dispose();
        if (Prefix != _registry.SemaphorePrefix)
        {
            // The temporary registry unlinks sem.ITSPREFIX-*, which a longer prefix's names do not match.
            foreach (var file in System.IO.Directory.GetFiles("/dev/shm", $"sem.{Prefix}-*"))
            {
                File.Delete(file);
            }
        }
    }

    internal static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
