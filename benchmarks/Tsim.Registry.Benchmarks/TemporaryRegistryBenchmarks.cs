using System.Globalization;
using BenchmarkDotNet.Attributes;
using Tsim.Registry.Testing;

namespace Tsim.Registry.Benchmarks;

/// <summary>
/// What a test pays for a registry of its own: create it, register a host, take and release a router lock, and dispose
/// it (manager, semaphores, directory). The baseline does the same by hand, as this repository's test helpers did
/// before <see cref="TemporaryRegistry"/>: a directory and a prefix of their own, a manager, then the semaphores
/// unlinked and the directory deleted. The ratio is what <see cref="TemporaryRegistry"/> adds: its creator-named
/// directory, its option checks and its wait for calls still in flight.
/// </summary>
[MemoryDiagnoser]
public class TemporaryRegistryBenchmarks
{
    private int _registries;

    [Benchmark(Baseline = true, Description = "by hand: directory, prefix, manager, cleanup")]
    public void ByHand()
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"mbhand{Environment.ProcessId}x{++_registries}");
        var directory = Path.Combine("/dev/shm", prefix);
        using (var manager = new RegistryManager(new RegistryManagerOptions { RegistryDirectory = directory, SemaphorePrefix = prefix }))
        {
            Use(manager);
        }

        foreach (var file in Directory.EnumerateFiles("/dev/shm", $"sem.{prefix}-*"))
        {
            File.Delete(file);
        }

        Directory.Delete(directory, recursive: true);
    }

    [Benchmark(Description = "TemporaryRegistry")]
    public void Temporary()
    {
        using var registry = new TemporaryRegistry();
        Use(registry.Manager);
    }

    private static void Use(RegistryManager manager)
    {
        manager.RegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a");
        using (manager.RouterLock("router-1", "job-1"))
        {
        }
    }
}
