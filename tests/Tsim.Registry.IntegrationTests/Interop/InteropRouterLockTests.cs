using System.Diagnostics;
using System.Globalization;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.Interop;

/// <summary>Router locks held on one side, seen, respected and waited for on the other.</summary>
[Collection(PythonInterop.Name)]
public sealed class InteropRouterLockTests : IDisposable
{
    /// <summary>Generous bound on an event-driven wake-up (inotify on the notify file): tests share two cores.</summary>
    private static readonly TimeSpan s_wakeBound = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan s_loopTimeout = TimeSpan.FromSeconds(120);

    private readonly InteropSandbox _sandbox = new();
    private readonly ITestOutputHelper _output;

    public InteropRouterLockTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task PythonHoldsRouter_CSharpSeesItHeld_TimesOut_AndWakesWithinMillisecondsOfTheRelease()
    {
        Stopwatch.Frequency.Should().Be(1_000_000_000, "Stopwatch timestamps are CLOCK_MONOTONIC nanoseconds on Linux, Python's monotonic_ns");
        var python = _sandbox.StartPython("lock", "rp", "py-job", "--hold", "-1");
        await python.ExpectAsync("ACQUIRED");

        var manager = _sandbox.CreateManager();
        manager.IsRouterLocked("rp").Should().BeTrue("the semaphore is the ground truth, whoever holds it");
        manager.AcquireRouterLock("rp", "cs-job", TimeSpan.FromMilliseconds(300)).Should().BeFalse("Python holds it");
        manager.GetRouterLockOwner("rp").Should().BeNull("Python writes no owner record");

        // Two C# waiters: one in this process, one in a worker process.
        var worker = _sandbox.StartWorker("wait", "rp", "--timeout", "60");
        await worker.ExpectAsync("waiting");
        var inProcessWake = Task.Run(() =>
        {
            var free = manager.WaitForRouter("rp", TimeSpan.FromSeconds(60));
            return (free, woke: Stopwatch.GetTimestamp());
        });
        worker.TryReadPrintedLine().Should().BeNull("the worker must still be waiting while Python holds the router");
        inProcessWake.IsCompleted.Should().BeFalse("the in-process waiter must still be waiting while Python holds the router");

        python.SendLine("release");
        var released = long.Parse((await python.ExpectAsync("RELEASED"))[0], CultureInfo.InvariantCulture);
        var (free, woke) = await inProcessWake.WaitAsync(TimeSpan.FromSeconds(30));
        var workerFree = await worker.ExpectAsync("free");
        var workerWoke = long.Parse(workerFree[1], CultureInfo.InvariantCulture);

        free.Should().BeTrue();
        var inProcessLatency = TimeSpan.FromTicks((woke - released) / 100);
        var workerLatency = TimeSpan.FromTicks((workerWoke - released) / 100);
        _output.WriteLine($"wake-up after the Python release: in-process {inProcessLatency.TotalMilliseconds:F2} ms, worker {workerLatency.TotalMilliseconds:F2} ms (worker waited {workerFree[0]} ms)");
        woke.Should().BeGreaterThanOrEqualTo(released, "the waiter returned only after the release");
        workerWoke.Should().BeGreaterThanOrEqualTo(released);
        inProcessLatency.Should().BeLessThan(s_wakeBound);
        workerLatency.Should().BeLessThan(s_wakeBound);
        manager.IsRouterLocked("rp").Should().BeFalse();
        (await python.WaitForExitAsync()).Should().Be(0);
    }

    [Fact]
    public async Task CSharpHoldsRouter_PythonTimesOut_SeesTheLockFile_AndWaitsForTheRelease()
    {
        var cli = _sandbox.StartCli("lock", "rc", "cs-job", "--hold", "-1");
        (await cli.ReadLineAsync()).Should().StartWith("ACQUIRED", cli.Stderr);

        var trylock = await _sandbox.RunPythonAsync("trylock", "rc", "py-job", "--timeout", "0.3");
        trylock.ExitCode.Should().Be(1, trylock.ToString());
        trylock.Lines.Should().Equal("TIMEOUT");
        var lockWithTimeout = await _sandbox.RunPythonAsync("lock", "rc", "py-job", "--timeout", "0.3");
        lockWithTimeout.Lines.Should().Equal("TIMEOUT");
        (await _sandbox.RunPythonAsync("is-locked", "rc")).Lines.Should().Equal("true");
        File.Exists(Path.Combine(_sandbox.LockDirectory, "tsim-router-rc")).Should().BeTrue("the owner record is Python's lock file");

        // Python's wait_for_router: it prints WAITING right before the call, so it is inside while C# still holds.
        var waiter = _sandbox.StartPythonScript("wait_router.py", "--registry-dir", _sandbox.Directory, "rc", "--timeout", "60");
        var waitStarted = long.Parse((await waiter.ExpectAsync("WAITING"))[0], CultureInfo.InvariantCulture);
        (await _sandbox.RunPythonAsync("is-locked", "rc")).Lines.Should().Equal("true");
        waiter.TryReadPrintedLine().Should().BeNull("Python must still be waiting while C# holds the router");

        await cli.WriteLineAsync("release");
        var releasedLine = await cli.ReadLineAsync();
        releasedLine.Should().StartWith("RELEASED");
        var released = long.Parse(releasedLine!.Split(' ')[1], CultureInfo.InvariantCulture);
        var free = await waiter.ExpectAsync("FREE");
        var freeAt = long.Parse(free[0], CultureInfo.InvariantCulture);

        // Called at waitStarted (before a whole is-locked run and the release), returned after the release: it waited.
        waitStarted.Should().BeLessThan(released);
        freeAt.Should().BeGreaterThanOrEqualTo(released, "Python's wait returned only after the C# release");
        _output.WriteLine($"Python wait_for_router returned {(freeAt - released) / 1e6:F2} ms after the C# release (it polls the lock file)");
        File.Exists(Path.Combine(_sandbox.LockDirectory, "tsim-router-rc")).Should().BeFalse();
        File.Exists(Path.Combine(_sandbox.LockDirectory, "router_rc_notify")).Should().BeTrue("a release touches the notify file");
        (await _sandbox.RunPythonAsync("is-locked", "rc")).Lines.Should().Equal("false");
        (await _sandbox.RunPythonAsync("trylock", "rc", "py-job")).First.Should().StartWith("ACQUIRED");
        (await cli.CompleteAsync()).ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task MultiRouterLocks_InOverlappingSetsFromBothSides_NeverDeadlockAndNeverOverlap()
    {
        const int Iterations = 400;
        var markers = Directory.CreateDirectory(_sandbox.PathOf("markers")).FullName;
        string[] pythonSets = ["rd,rb,ra", "rc,rd"];
        string[] csharpSets = ["rc,ra", "rb,rd,rc", "ra,rb,rc,rd"];

        var python = pythonSets
            .Select(set => _sandbox.StartPythonScript("lock_loop.py", "--registry-dir", _sandbox.Directory, set, Number(Iterations), "--marker-dir", markers))
            .ToArray();
        var workers = csharpSets
            .Select(set => _sandbox.StartWorker("lock-all-loop", set, Number(Iterations), "--marker-dir", markers))
            .ToArray();
        foreach (var process in python.Concat(workers))
        {
            await process.ExpectAsync("ready", s_loopTimeout);
        }

        foreach (var process in python.Concat(workers))
        {
            process.SendLine("go");
        }

        var overlaps = 0;
        foreach (var process in python)
        {
            var done = await process.ExpectAsync("done", s_loopTimeout);
            overlaps += int.Parse(done[0], CultureInfo.InvariantCulture);
            done[1].Should().Be(Number(Iterations));
        }

        foreach (var worker in workers)
        {
            overlaps += int.Parse((await worker.ExpectAsync("done", s_loopTimeout))[0], CultureInfo.InvariantCulture);
        }

        _output.WriteLine($"{(pythonSets.Length + csharpSets.Length) * Iterations} multi-router holds, {overlaps} overlaps");
        overlaps.Should().Be(0);
        Directory.EnumerateFiles(markers).Should().BeEmpty();
        var manager = _sandbox.CreateManager();
        foreach (var router in new[] { "ra", "rb", "rc", "rd" })
        {
            manager.IsRouterLocked(router).Should().BeFalse($"{router} is free after the loops");
        }
    }

    [Fact]
    public async Task MixedLockStorm_TwoPythonAndTwoCSharpProcessesOnOneRouter_ZeroOverlaps()
    {
        const int Iterations = 1500;
        var markers = Directory.CreateDirectory(_sandbox.PathOf("markers")).FullName;
        var marker = Path.Combine(markers, "storm.marker");

        ChildProcess[] python =
        [
            .. Enumerable.Range(0, 2).Select(_ =>
                _sandbox.StartPythonScript("lock_loop.py", "--registry-dir", _sandbox.Directory, "storm", Number(Iterations), "--marker-dir", markers)),
        ];
        WorkerProcess[] workers =
        [
            .. Enumerable.Range(0, 2).Select(_ => _sandbox.StartWorker("lock-loop", "storm", Number(Iterations), "--marker", marker)),
        ];
        foreach (var process in python.Concat(workers))
        {
            await process.ExpectAsync("ready", s_loopTimeout);
        }

        var start = Stopwatch.GetTimestamp();
        foreach (var process in python.Concat(workers))
        {
            process.SendLine("go");
        }

        int overlaps = 0, iterations = 0;
        foreach (var process in python)
        {
            var done = await process.ExpectAsync("done", s_loopTimeout);
            overlaps += int.Parse(done[0], CultureInfo.InvariantCulture);
            iterations += int.Parse(done[1], CultureInfo.InvariantCulture);
        }

        foreach (var worker in workers)
        {
            overlaps += int.Parse((await worker.ExpectAsync("done", s_loopTimeout))[0], CultureInfo.InvariantCulture);
            iterations += Iterations;
        }

        _output.WriteLine($"{iterations} lock cycles (2 Python + 2 C# processes) in {Stopwatch.GetElapsedTime(start).TotalSeconds:F2} s, {overlaps} overlaps");
        iterations.Should().Be(4 * Iterations);
        overlaps.Should().Be(0);
        File.Exists(marker).Should().BeFalse();
        _sandbox.CreateManager().IsRouterLocked("storm").Should().BeFalse();
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
