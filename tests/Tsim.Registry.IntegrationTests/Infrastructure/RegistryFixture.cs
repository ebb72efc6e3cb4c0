using System.Globalization;
using Tsim.Registry.Locking;

namespace Tsim.Registry.IntegrationTests.Infrastructure;

/// <summary>
/// A private registry for one test: its own directory (<c>/tmp/tsim-integ-GUID</c>) and semaphore prefix
/// (<c>it</c> + 10 hex digits, never <c>tsim</c>), workers and managers that use them, and cleanup of all of it in
/// <see cref="Dispose"/>: workers killed, managers disposed, <c>/dev/shm/sem.PREFIX-*</c> unlinked, directory deleted.
/// </summary>
public sealed class RegistryFixture : IDisposable
{
    private readonly List<WorkerProcess> _workers = [];
    private readonly List<RegistryManager> _managers = [];

    public RegistryFixture()
        : this("it", "integ")
    {
    }

    /// <summary>
    /// A registry whose prefix is <paramref name="prefixTag"/> + 10 hex digits and whose directory is
    /// <c>/tmp/tsim-DIRECTORYTAG-GUID</c>, so that one area's leftovers can be told from another's.
    /// </summary>
    public RegistryFixture(string prefixTag, string directoryTag)
    {
        var id = Guid.NewGuid().ToString("N");
        Prefix = prefixTag + id[..10];
        Directory = Path.Combine(Path.GetTempPath(), $"tsim-{directoryTag}-{id}");
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>Gets the registry directory (the lock directory is its <c>locks</c> subdirectory).</summary>
    public string Directory { get; }

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
    public RegistryManager CreateManager(Action<RegistryManagerOptions>? configure = null)
    {
        var options = new RegistryManagerOptions { RegistryDirectory = Directory, SemaphorePrefix = Prefix };
        configure?.Invoke(options);
        var manager = new RegistryManager(options);
        lock (_managers)
        {
            _managers.Add(manager);
        }

        return manager;
    }

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

        foreach (var manager in _managers)
        {
            manager.Dispose();
        }

        // sem_unlink(3) of a glibc semaphore is unlink(2) of /dev/shm/sem.NAME. The prefix is ours alone, so
        // nothing another test or a real simulator uses can match.
        foreach (var file in SemaphoreFiles())
        {
            File.Delete(file);
        }

        File.Delete(BindingPath);

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A killed worker may still have been writing a temp file; /tmp is cleaned eventually anyway.
        }
    }

    internal static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
