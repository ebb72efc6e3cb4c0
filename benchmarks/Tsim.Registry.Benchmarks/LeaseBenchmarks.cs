using BenchmarkDotNet.Attributes;

namespace Tsim.Registry.Benchmarks;

/// <summary>
/// A source-host lease acquire + release cycle (W5b's unit of work) with 1,000 hosts registered; the baseline reads the
/// host's lease count only.
/// </summary>
[MemoryDiagnoser]
public class LeaseBenchmarks : IDisposable
{
    private BenchRegistry _registry = null!;
    private (string Name, string Ip, string Router, string Mac) _host;

    [Params(1000)]
    public int Hosts { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _registry = new BenchRegistry(Hosts);
        _host = BenchRegistry.Host(0);
    }

    [Benchmark(Baseline = true, Description = "lease count (read)")]
    public int LeaseCount() => _registry.Manager.GetHostLeaseCount(_host.Name);

    [Benchmark(Description = "lease acquire + release")]
    public bool LeaseCycle()
    {
        var manager = _registry.Manager;
        manager.AcquireSourceHostLease("run-1", _host.Name, "quick", _host.Router, dscp: 32);
        return manager.ReleaseSourceHostLease("run-1", _host.Name).ShouldDelete;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _registry?.Dispose();
        GC.SuppressFinalize(this);
    }
}
