using BenchmarkDotNet.Attributes;

namespace Tsim.Registry.Benchmarks;

/// <summary>
/// One uncontended router lock/unlock cycle through the public API (owner record and notify file included),
/// against the bare semaphore try-wait/post it is built on.
/// </summary>
[MemoryDiagnoser]
public class RouterLockBenchmarks : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tsim-bench-" + Guid.NewGuid().ToString("N"));
    private readonly string _prefix = "tsimbench" + Environment.ProcessId;
    private RegistryManager _manager = null!;
    private NamedSemaphore _semaphore = null!;

    [GlobalSetup]
    public void Setup()
    {
        _manager = new RegistryManager(new RegistryManagerOptions { RegistryDirectory = _directory, SemaphorePrefix = _prefix });
        _semaphore = NamedSemaphore.OpenOrCreate($"/{_prefix}-bench-raw");
    }

    [Benchmark(Baseline = true)]
    public void SemaphoreTryWaitPost()
    {
        _semaphore.TryWait();
        _semaphore.Post();
    }

    [Benchmark]
    public void RouterLockCycle()
    {
        _manager.AcquireRouterLock("r1", "job", TimeSpan.Zero);
        _manager.ReleaseRouterLock("r1", "job");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _manager?.Dispose();
        _semaphore?.Dispose();
        NamedSemaphore.Unlink($"/{_prefix}-bench-raw");
        NamedSemaphore.Unlink($"/{_prefix}-router-r1");
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
