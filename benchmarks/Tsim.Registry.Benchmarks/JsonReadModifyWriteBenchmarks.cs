using System.Globalization;
using BenchmarkDotNet.Attributes;

namespace Tsim.Registry.Benchmarks;

/// <summary>
/// A locked JSON read-modify-write through the public API: neighbor_leases.json holding 10 or 1,000 entries gets one
/// lease added and removed again (two read-modify-writes). The baseline adds to an existing entry; the other creates
/// a new entry and deletes it.
/// </summary>
[MemoryDiagnoser]
public class JsonReadModifyWriteBenchmarks : IDisposable
{
    private BenchRegistry _registry = null!;

    [Params(10, 1000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _registry = new BenchRegistry(1);
        for (var i = 0; i < Entries; i++)
        {
            _registry.Manager.AcquireNeighborLease("setup", "host-0000", string.Create(CultureInfo.InvariantCulture, $"10.1.{i >> 8}.{i & 255}"));
        }
    }

    [Benchmark(Baseline = true, Description = "neighbor lease acq+rel, existing entry")]
    public bool ExistingEntry()
    {
        var manager = _registry.Manager;
        manager.AcquireNeighborLease("run-1", "host-0000", "10.1.0.0");
        return manager.ReleaseNeighborLease("run-1", "host-0000", "10.1.0.0").ShouldDelete;
    }

    [Benchmark(Description = "neighbor lease acq+rel, new entry")]
    public bool NewEntry()
    {
        var manager = _registry.Manager;
        manager.AcquireNeighborLease("run-1", "host-0000", "10.2.0.1");
        return manager.ReleaseNeighborLease("run-1", "host-0000", "10.2.0.1").ShouldDelete;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _registry?.Dispose();
        GC.SuppressFinalize(this);
    }
}
