using System.Globalization;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>
/// Runs every path the workloads time against a private registry before the measurement, as BenchmarkDotNet's
/// warm-up does: the timed loops then measure compiled code, not the JIT. bench_py's workers are forked from a warm
/// interpreter, which has no compiler to wait for.
/// </summary>
internal static class JitWarmup
{
    private const int Rounds = 5;
    private const int HostsPerRound = 150;
    private const int LockCyclesPerRound = 400;

    /// <summary>Warms up registrations, lease cycles and router lock cycles in both router lock modes.</summary>
    /// <param name="prefix">The run's semaphore prefix; the warm-up uses its own, derived from it and this process id.</param>
    internal static void Run(string prefix)
    {
        foreach (var sharedWithPython in new[] { true, false })
        {
            var scratch = string.Create(CultureInfo.InvariantCulture, $"{prefix}w{Environment.ProcessId}{(sharedWithPython ? "p" : "c")}");
            var directory = Path.Combine("/dev/shm", scratch + "-warmup");
            try
            {
                // Two managers on one registry, taking turns: each finds the file changed by the other, as W2's workers
                // do, so the path that parses another process's write is compiled too.
                var (manager, _) = Bench.MakeManager(directory, scratch, sharedWithPython);
                var (other, _) = Bench.MakeManager(directory, scratch, sharedWithPython);
                using (manager)
                using (other)
                {
                    for (var round = 0; round < Rounds; round++)
                    {
                        Exercise(manager, other);

                        // The runtime compiles hot methods at full optimisation in the background once calls to new
                        // methods have been quiet for about 100 ms.
                        Thread.Sleep(200);
                    }
                }
            }
            finally
            {
                LoadBenchmarkRunner.UnlinkSemaphores(scratch);
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        }
    }

    private static void Exercise(RegistryManager manager, RegistryManager other)
    {
        var timeout = TimeSpan.FromSeconds(5);
        for (var i = 0; i < HostsPerRound; i++)
        {
            var h = Bench.Host(i);
            (i % 2 == 0 ? manager : other).CheckAndRegisterHost(h.Name, h.Ip, h.Router, h.Mac);
            manager.CheckAndRegisterHost(h.Name, h.Ip, h.Router, h.Mac); // the refused path too
            manager.AcquireSourceHostLease("warm-up", h.Name, "quick", h.Router, dscp: 32);
            manager.ReleaseSourceHostLease("warm-up", h.Name);
        }

        for (var i = 0; i < LockCyclesPerRound; i++)
        {
            manager.AcquireRouterLock("warm-up", "warm-up", timeout);
            manager.ReleaseRouterLock("warm-up", "warm-up");
        }

        manager.WaitForRouter("warm-up", timeout);
        for (var i = 0; i < HostsPerRound; i++)
        {
            (i % 2 == 0 ? manager : other).UnregisterHost(Bench.Host(i).Name);
        }
    }
}
