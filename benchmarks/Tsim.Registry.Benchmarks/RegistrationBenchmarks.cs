using BenchmarkDotNet.Attributes;

namespace Tsim.Registry.Benchmarks;

/// <summary>
/// Check-and-register against a registry of 1,000 and 10,000 hosts. The baseline is a colliding registration (lock,
/// read, collision check, no write); the other registers a new host and unregisters it again, so the size stays
/// the same (two locked read-modify-writes of hosts.json).
/// </summary>
[MemoryDiagnoser]
public class RegistrationBenchmarks : IDisposable
{
    private BenchRegistry _registry = null!;
    private (string Name, string Ip, string Router, string Mac) _existing;

    [Params(1000, 10000)]
    public int Hosts { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _registry = new BenchRegistry(Hosts);
        _existing = BenchRegistry.Host(0);
    }

    [Benchmark(Baseline = true, Description = "collision (lock + read + check, no write)")]
    public bool Collision() => _registry.Manager.CheckAndRegisterHost(_existing.Name, _existing.Ip, _existing.Router, _existing.Mac);

    [Benchmark(Description = "register new host + unregister it")]
    public bool RegisterAndUnregister()
    {
        var manager = _registry.Manager;
        return manager.CheckAndRegisterHost("bench-new", "10.255.255.1/24", "router-0", "02:ff:ff:ff:ff:01")
            && manager.UnregisterHost("bench-new");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _registry?.Dispose();
        GC.SuppressFinalize(this);
    }
}
