using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// How soon a waiting process takes over a router whose holder was SIGKILLed: 50 trials against one long-running
/// waiter (a job runner's warm process), with the kill sent only once the waiter sleeps in the kernel. A measurement,
/// printed as a table: it asserts that every takeover happened, never how fast (timings belong to benchmarks). Once
/// per setting of <see cref="RegistryManagerOptions.SharedWithPython"/>: without Python, the waiter sleeps on the
/// lock's gate rather than on its semaphore, and a recovery wakes it there.
/// </summary>
public sealed class TakeoverLatencyMeasurement : IDisposable
{
    private const int Trials = 50;
    private const string Router = "r1";

    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();
    private readonly ITestOutputHelper _output;

    public TakeoverLatencyMeasurement(ITestOutputHelper output) => _output = output;

    public void Dispose() => _registry.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HolderKilled_WarmWaiterTakesOver_EveryTrial(bool sharedWithPython)
    {
        var setting = RegistryFixture.SharedWithPythonOptions(sharedWithPython);
        var waiter = _registry.StartWorker("acquire-loop", [Router, .. setting]);
        var latencies = new List<double>();
        for (var trial = 0; trial < Trials; trial++)
        {
            var holder = _registry.StartWorker("hold", [Router, $"job-{trial}", .. setting]);
            await holder.ExpectAsync("waiting");
            await holder.ExpectAsync("acquired");

            await waiter.WriteLineAsync("next");
            await waiter.ExpectAsync("waiting");
            await SleepingInTheKernelAsync(waiter.Pid);

            var killed = Stopwatch.GetTimestamp();
            Tsim.Registry.Interop.Libc.Kill(holder.Pid, 9).Should().Be(0);
            var acquired = await waiter.ExpectAsync("acquired");
            latencies.Add(CrashSupport.Milliseconds(killed, long.Parse(acquired[0], CultureInfo.InvariantCulture)));
            await holder.WaitForExitAsync();
        }

        await waiter.WriteLineAsync("stop");
        (await waiter.WaitForExitAsync()).Should().Be(0);
        latencies.Should().HaveCount(Trials);
        var sorted = latencies.Order().ToArray();
        _output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{Trials} SIGKILLs of a router holder, one warm waiting process, shared with Python {sharedWithPython}: kill to acquisition min {sorted[0]:F1} ms, " +
            $"median {sorted[Trials / 2]:F1} ms, p90 {sorted[Trials * 9 / 10]:F1} ms, max {sorted[^1]:F1} ms"));
    }

    /// <summary>
    /// Waits until the waiter's main thread is blocked in a futex wait (sem_clockwait, or the gate word's): only then does the kill measure
    /// a takeover from a sleeping waiter rather than one still spinning. There is no event for this; /proc shows it.
    /// </summary>
    private static async Task SleepingInTheKernelAsync(int pid)
    {
        var futex = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "98" : "202";
        var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var syscall = await File.ReadAllTextAsync($"/proc/{pid}/syscall");
            if (syscall.Split(' ')[0] == futex)
            {
                return;
            }

            await Task.Yield();
        }

        throw new TimeoutException($"The waiter (pid {pid}) never blocked in a futex wait.");
    }
}
