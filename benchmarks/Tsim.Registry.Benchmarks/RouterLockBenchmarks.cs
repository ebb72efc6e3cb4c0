using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Locking;
using Tsim.Registry.Security;
using Tsim.Registry.Storage;

namespace Tsim.Registry.Benchmarks;

/// <summary>
/// What one uncontended lock/unlock cycle costs, layer by layer: the bare semaphore (baseline), each kind of owner
/// record alone (the compatibility lock file, the mapped slot), a registry lock through the lock manager (slot
/// record, with and without the gate of a registry not shared with Python), and a router lock through the public API (record, notify touch, argument checks) in both router lock
/// modes; and a try-lock refused because another manager holds the router.
/// </summary>
[MemoryDiagnoser]
public class RouterLockBenchmarks : IDisposable
{
    // tmpfs, where the registry lives in production (/dev/shm/tsim); never the real registry itself.
    private readonly string _directory = Path.Combine("/dev/shm", "tsim-bench-" + Guid.NewGuid().ToString("N"));
    private readonly string _prefix = "bench" + Environment.ProcessId;
    private RegistryManager _manager = null!;
    private RegistryManager _csharpOnly = null!;
    private RegistryManager _otherHolder = null!;
    private OwnerRecordSlot _slot = null!;
    private byte[] _recordJson = null!;
    private LockManager _lockManager = null!;
    private LockManager _gatedLockManager = null!;
    private NamedSemaphore _semaphore = null!;
    private LockName _registryLock;
    private LockName _router;
    private PresenceFile _presence = null!;
    private LockName _neighborLock;
    private LockFiles _files = null!;
    private readonly OwnerRecord _record = new() { Lock = "bench", JobId = "job", Pid = Environment.ProcessId, AcquiredAt = DateTimeOffset.UtcNow };

    [GlobalSetup]
    public void Setup()
    {
        _manager = new RegistryManager(new RegistryManagerOptions { RegistryDirectory = _directory, SemaphorePrefix = _prefix });
        _files = new LockFiles(Path.Combine(_directory, "locks"), NullLogger.Instance);
        _lockManager = new LockManager(_files, LockTimeout.FromSeconds(0.2), NullLogger.Instance, TimeProvider.System);
        _gatedLockManager = new LockManager(_files, LockTimeout.FromSeconds(0.2), NullLogger.Instance, TimeProvider.System, routerLockFiles: false);
        _registryLock = LockName.HostsRegistry(_prefix);
        _router = LockName.Router(_prefix, "raw");
        _presence = new PresenceFile(_files, NullLogger.Instance);
        _neighborLock = LockName.NeighborLeases(_prefix); // Another lock than the ungated manager's: a gate is per semaphore.
        _semaphore = NamedSemaphore.OpenOrCreate($"/{_prefix}-bench-raw");
        _csharpOnly = new RegistryManager(new RegistryManagerOptions { RegistryDirectory = _directory, SemaphorePrefix = _prefix, SharedWithPython = false });
        _otherHolder = new RegistryManager(new RegistryManagerOptions { RegistryDirectory = _directory, SemaphorePrefix = _prefix });
        _otherHolder.AcquireRouterLock("held", "other-job", TimeSpan.Zero);
        _slot = OwnerRecordSlot.Open(Path.Combine(_directory, "locks", ".bench-slot.owner"), AccessPolicy.Private, create: true)!;
        _recordJson = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(_record, RegistryJsonContext.Default.OwnerRecord);
    }

    [Benchmark(Baseline = true, Description = "sem_trywait + sem_post")]
    public void SemaphoreOnly()
    {
        _semaphore.TryWait();
        _semaphore.Post();
    }

    [Benchmark(Description = "owner record written into the lock file + delete only (versions before presence files)")]
    public void OwnerRecordFileOnly()
    {
        var path = _files.OwnerRecordPath(_router);
        using (var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, _recordJson, 0);
        }

        _files.DeleteOwnerRecord(_router);
    }

    [Benchmark(Description = "lock file as a link of the presence file + unlink only")]
    public void PresenceLinkOnly()
    {
        _presence.LinkAs(_router);
        _presence.TryRemoveLockFile(_router);
    }

    [Benchmark(Description = "slot owner record write + clear only")]
    public void SlotRecordOnly()
    {
        _slot.Write(_recordJson);
        _slot.Clear();
    }

    [Benchmark(Description = "registry lock + slot owner record")]
    public void RegistryLockWithOwnerRecord()
    {
        _lockManager.TryAcquire(_registryLock, "job", LockTimeout.Zero);
        _lockManager.Release(_registryLock, "job");
    }

    [Benchmark(Description = "registry lock + slot owner record + gate (C#-only)")]
    public void RegistryLockWithOwnerRecordAndGate()
    {
        _gatedLockManager.TryAcquire(_neighborLock, "job", LockTimeout.Zero);
        _gatedLockManager.Release(_neighborLock, "job");
    }

    [Benchmark(Description = "router lock, shared with Python (lock file + notify)")]
    public void RouterLock()
    {
        _manager.AcquireRouterLock("r1", "job", TimeSpan.Zero);
        _manager.ReleaseRouterLock("r1", "job");
    }

    [Benchmark(Description = "router lock, C#-only (slot + notify)")]
    public void RouterLockCSharpOnly()
    {
        _csharpOnly.AcquireRouterLock("r2", "job", TimeSpan.Zero);
        _csharpOnly.ReleaseRouterLock("r2", "job");
    }

    [Benchmark(Description = "try-lock of a router another manager holds (refused)")]
    public bool TryLockHeld() => _manager.AcquireRouterLock("held", "job", TimeSpan.Zero);

    [GlobalCleanup]
    public void Dispose()
    {
        _manager?.Dispose();
        _csharpOnly?.Dispose();
        _otherHolder?.Dispose();
        _slot?.Dispose();
        _presence?.Dispose();
        _lockManager?.Dispose();
        _gatedLockManager?.Dispose();
        _semaphore?.Dispose();
        // Everything under the benchmark's own prefix (semaphores and the prefix binding), so that a lock a benchmark
        // adds later cannot be left behind.
        foreach (var file in Directory.GetFiles("/dev/shm", $"sem.{_prefix}-*"))
        {
            File.Delete(file);
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
