using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tsim.Registry.Benchmarks;

/// <summary>
/// What one uncontended lock/unlock cycle costs, layer by layer: the bare semaphore (baseline), a registry lock
/// through the lock manager (plus its owner record), and a router lock through the public API (plus owner record,
/// notify touch and argument checks).
/// </summary>
[MemoryDiagnoser]
public class RouterLockBenchmarks : IDisposable
{
    // tmpfs, where the registry lives in production (/dev/shm/tsim); never the real registry itself.
    private readonly string _directory = Path.Combine("/dev/shm", "tsim-bench-" + Guid.NewGuid().ToString("N"));
    private readonly string _prefix = "bench" + Environment.ProcessId;
    private RegistryManager _manager = null!;
    private LockManager _lockManager = null!;
    private NamedSemaphore _semaphore = null!;
    private LockName _registryLock;
    private RouterLockFiles _files = null!;
    private readonly OwnerRecord _record = new() { Lock = "bench", JobId = "job", Pid = Environment.ProcessId, AcquiredAt = DateTimeOffset.UtcNow };

    [GlobalSetup]
    public void Setup()
    {
        _manager = new RegistryManager(new RegistryManagerOptions { RegistryDirectory = _directory, SemaphorePrefix = _prefix });
        _files = new RouterLockFiles(Path.Combine(_directory, "locks"), NullLogger.Instance);
        _lockManager = new LockManager(_files, LockTimeout.FromSeconds(0.2), NullLogger.Instance, TimeProvider.System);
        _registryLock = LockName.HostsRegistry(_prefix);
        _semaphore = NamedSemaphore.OpenOrCreate($"/{_prefix}-bench-raw");
    }

    [Benchmark(Baseline = true, Description = "sem_trywait + sem_post")]
    public void SemaphoreOnly()
    {
        _semaphore.TryWait();
        _semaphore.Post();
    }

    [Benchmark(Description = "owner record write + delete only")]
    public void OwnerRecordOnly()
    {
        _files.WriteOwnerRecord(_registryLock, _record);
        _files.DeleteOwnerRecord(_registryLock);
    }

    [Benchmark(Description = "registry lock + owner record")]
    public void RegistryLockWithOwnerRecord()
    {
        _lockManager.TryAcquire(_registryLock, "job", LockTimeout.Zero);
        _lockManager.Release(_registryLock, "job");
    }

    [Benchmark(Description = "router lock (record + notify)")]
    public void RouterLock()
    {
        _manager.AcquireRouterLock("r1", "job", TimeSpan.Zero);
        _manager.ReleaseRouterLock("r1", "job");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _manager?.Dispose();
        _lockManager?.Dispose();
        _semaphore?.Dispose();
        foreach (var name in new[] { "bench-raw", "router-r1", "hosts-registry" })
        {
            NamedSemaphore.Unlink($"/{_prefix}-{name}");
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
