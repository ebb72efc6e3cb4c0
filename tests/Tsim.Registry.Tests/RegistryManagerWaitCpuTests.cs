using System.Diagnostics;
using System.Globalization;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>Deviation 2 (docs/ARCHITECTURE.md): waiting for a router burns no CPU (the specification's select() loop spins).</summary>
[Collection(SerialTests.Name)]
public sealed class RegistryManagerWaitCpuTests : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(0.3);

    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void WaitForRouter_HeldForWholeTimeout_UsesFarLessCpuThanWallTime()
    {
        var holder = _context.CreateManager();
        var waiter = _context.CreateManager();
        holder.AcquireRouterLock("r1", "holder");
        waiter.WaitForRouter("r1", TimeSpan.Zero).Should().BeFalse(); // Warm up: JIT and watcher start are not waiting.

        // What the process burns anyway over the same interval (background JIT, GC of earlier tests), so that only
        // the wait's own cost is compared with the budget.
        using var idle = new ManualResetEventSlim();
        var baseline = ProcessCpu(() => idle.Wait(s_wait));

        var threadBefore = ThreadCpu();
        var wall = Stopwatch.StartNew();
        var result = false;
        var cpu = ProcessCpu(() => result = waiter.WaitForRouter("r1", s_wait));
        wall.Stop();
        var threadCpu = ThreadCpu() - threadBefore;

        result.Should().BeFalse();
        wall.Elapsed.Should().BeGreaterThanOrEqualTo(s_wait - TimeSpan.FromMilliseconds(100), "the wait lasts its timeout");
        threadCpu.Should().BeLessThan(s_budget, "the waiting thread sleeps instead of polling");
        (cpu - baseline).Should().BeLessThan(s_budget, "a busy loop would burn about one core for {0} (baseline {1})", wall.Elapsed, baseline);
    }

    private static TimeSpan ProcessCpu(Action action)
    {
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        action();
        process.Refresh();
        return process.TotalProcessorTime - before;
    }

    /// <summary>utime + stime of the calling thread from /proc/thread-self/stat (fields 14 and 15, in 1/100 s).</summary>
    private static TimeSpan ThreadCpu()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }
}
