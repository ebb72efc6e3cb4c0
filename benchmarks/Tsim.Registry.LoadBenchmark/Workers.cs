using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>The child side of W2, W4, W6 and W7: bench_py's <c>_w2_worker</c>, <c>_w4_worker</c>, <c>_w6_holder</c>, <c>_w6_waiter</c>, <c>_w7_hold</c>.</summary>
internal static class Workers
{
    private const string CSharpOnlySuffix = "+csonly";

    /// <summary>The worker kind to start: <paramref name="kind"/>, marked for a C#-only registry when not shared with Python.</summary>
    internal static string Kind(string kind, bool sharedWithPython) => sharedWithPython ? kind : kind + CSharpOnlySuffix;

    internal static int Run(IReadOnlyList<string> args, TextReader input, TextWriter output)
    {
        string Arg(int i) => i == 0 ? args[0].Replace(CSharpOnlySuffix, string.Empty, StringComparison.Ordinal) : args[i];
        var sharedWithPython = !args[0].EndsWith(CSharpOnlySuffix, StringComparison.Ordinal);
        int Int(int i) => int.Parse(args[i], CultureInfo.InvariantCulture);
        void Say(string line)
        {
            output.WriteLine(line);
            output.Flush();
        }

        void AwaitLine(string expected)
        {
            var line = input.ReadLine();
            if (!string.Equals(line, expected, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"expected '{expected}' from the parent, got '{line}'");
            }
        }

        // Compiled before the parent's GO, as bench_py's forked workers start with a warm interpreter.
        JitWarmup.Run(Arg(2));
        var (manager, log) = Bench.MakeManager(Arg(1), Arg(2), sharedWithPython);
        using (manager)
        {
            switch (Arg(0))
            {
                case "w2":
                    Say("READY");
                    AwaitLine("GO");
                    Say(W2(manager, log, Int(3), Int(4), Int(5)).ToJsonString());
                    break;
                case "w4":
                    Say("READY");
                    AwaitLine("GO");
                    Say(W4(manager, log, Arg(1), Int(3), Int(4)).ToJsonString());
                    break;
                case "w4e":
                    Say("READY");
                    AwaitLine("GO");
                    Say(W4Empty(manager, log, Arg(1), Int(3), Int(4)).ToJsonString());
                    break;
                case "w6-holder":
                    for (var i = 0; i < Int(4); i++)
                    {
                        AwaitLine("ACQ");
                        if (!manager.AcquireRouterLock("bench-w6", "holder", TimeSpan.FromSeconds(5)))
                        {
                            throw new InvalidOperationException("the W6 holder did not get the lock within 5 s");
                        }

                        Say("HELD");
                        AwaitLine("REL");
                        Thread.Sleep(TimeSpan.FromSeconds(Workloads.HoldAfterWaiter)); // the waiter is now blocked (or not)
                        var release = Bench.Now();
                        manager.ReleaseRouterLock("bench-w6", "holder");
                        Say(release.ToString("R", CultureInfo.InvariantCulture));
                    }

                    break;
                case "w6-waiter":
                    for (var i = 0; i < Int(4); i++)
                    {
                        AwaitLine("GO");
                        Say("WAITING");
                        bool ok;
                        double t;
                        if (string.Equals(Arg(3), "acquire", StringComparison.Ordinal))
                        {
                            ok = manager.AcquireRouterLock("bench-w6", "waiter", TimeSpan.FromSeconds(5));
                            t = Bench.Now();
                            if (ok)
                            {
                                manager.ReleaseRouterLock("bench-w6", "waiter");
                            }
                        }
                        else
                        {
                            ok = manager.WaitForRouter("bench-w6", TimeSpan.FromSeconds(5));
                            t = Bench.Now();
                        }

                        Say(string.Create(CultureInfo.InvariantCulture, $"{(ok ? 1 : 0)} {t:R}"));
                    }

                    break;
                case "w7-holder":
                    if (!manager.AcquireRouterLock("bench-w7", "holder", TimeSpan.FromSeconds(5)))
                    {
                        throw new InvalidOperationException("the W7 holder did not get the lock within 5 s");
                    }

                    Say("HELD");
                    AwaitLine("STOP");
                    manager.ReleaseRouterLock("bench-w7", "holder");
                    break;
                default:
                    throw new ArgumentException($"unknown worker kind '{Arg(0)}'");
            }
        }

        return 0;
    }

    private static JsonObject W2(RegistryManager manager, CountingLogger log, int k, int nproc, int n)
    {
        var tally = new RegistrationTally();
        var t0 = Stopwatch.GetTimestamp();
        for (var i = k; i < n; i += nproc)
        {
            tally.Register(manager, Bench.Host(i));
        }

        var result = new JsonObject
        {
            ["k"] = k,
            ["elapsed"] = Bench.Since(t0),
            ["log"] = Bench.Counts(log.Counts),
        };
        tally.WriteTo(result);
        return result;
    }

    /// <summary>bench_py's <c>_w4_worker</c>: the critical section takes a marker file and rewrites a counter file.</summary>
    private static JsonObject W4(RegistryManager manager, CountingLogger log, string directory, int k, int cycles)
    {
        var marker = Path.Combine(directory, "cs.marker");
        var counter = Path.Combine(directory, "cs.counter");
        var buffer = new byte[64];
        return LockCycles(manager, log, "bench-w4", k, cycles, () => CounterFileSection(marker, counter, buffer));
    }

    /// <summary>
    /// W4e's worker (python/bench_w4e.py's <c>_worker</c>): W4 without file I/O in the critical section. The holder
    /// checks and sets an owner word and increments a counter in a shared mapped page, so a second holder inside the
    /// section and lost updates are still seen.
    /// </summary>
    private static JsonObject W4Empty(RegistryManager manager, CountingLogger log, string directory, int k, int cycles)
    {
        using var file = System.IO.MemoryMappedFiles.MemoryMappedFile.CreateFromFile(
            Path.Combine(directory, "cs.page"), FileMode.Open, mapName: null, capacity: 0, System.IO.MemoryMappedFiles.MemoryMappedFileAccess.ReadWrite);
        using var page = file.CreateViewAccessor();
        return LockCycles(manager, log, "bench-w4e", k, cycles, () =>
        {
            var violation = page.ReadInt32(0) != 0;
            page.Write(0, k + 1);
            page.Write(8, page.ReadInt64(8) + 1); // Deliberately non-atomic: the lock is what keeps it exact.
            page.Write(0, 0);
            return violation;
        });
    }

    /// <summary>
    /// The W4 loop: <paramref name="cycles"/> acquisitions of <paramref name="router"/>, each running
    /// <paramref name="criticalSection"/> (which returns whether it saw another holder inside) before the release.
    /// </summary>
    private static JsonObject LockCycles(RegistryManager manager, CountingLogger log, string router, int k, int cycles, Func<bool> criticalSection)
    {
        var job = string.Create(CultureInfo.InvariantCulture, $"job-{k}");
        int violations = 0, timeouts = 0;
        var maxWait = 0.0;
        var t0 = Stopwatch.GetTimestamp();
        for (var c = 0; c < cycles; c++)
        {
            var ta = Stopwatch.GetTimestamp();
            if (!manager.AcquireRouterLock(router, job, TimeSpan.FromSeconds(30)))
            {
                timeouts++;
                continue;
            }

            maxWait = Math.Max(maxWait, Bench.Since(ta));
            if (criticalSection())
            {
                violations++;
            }

            manager.ReleaseRouterLock(router, job);
        }

        return new JsonObject
        {
            ["k"] = k,
            ["violations"] = violations,
            ["timeouts"] = timeouts,
            ["elapsed"] = Bench.Since(t0),
            ["max_wait"] = maxWait,
            ["log"] = Bench.Counts(log.Counts),
        };
    }

    /// <summary>bench_py's W4 critical section; returns whether the marker showed another holder inside.</summary>
    private static unsafe bool CounterFileSection(string marker, string counter, byte[] buffer)
    {
        var violation = false;
        var fd = Native.Open(marker, Native.O_CREAT | Native.O_EXCL | Native.O_WRONLY | Native.O_CLOEXEC, 0x1B6);
        if (fd >= 0)
        {
            Native.Close(fd);
        }
        else if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Native.EEXIST)
        {
            violation = true;
        }
        else
        {
            throw Native.Error("open", marker);
        }

        // Deliberately non-atomic read-modify-write of the counter, as bench_py does.
        fd = Native.Open(counter, Native.O_RDWR | Native.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Native.Error("open", counter);
        }

        fixed (byte* p = buffer)
        {
            var read = (int)Native.Read(fd, p, buffer.Length);
            var value = read <= 0 ? 0 : long.Parse(Encoding.ASCII.GetString(buffer, 0, read), CultureInfo.InvariantCulture);
            var text = (value + 1).ToString(CultureInfo.InvariantCulture);
            var length = Encoding.ASCII.GetBytes(text, 0, text.Length, buffer, 0);
            Native.PWrite(fd, p, length, 0);
            Native.FTruncate(fd, length);
        }

        Native.Close(fd);
        if (!violation)
        {
            Native.Unlink(marker);
        }

        return violation;
    }
}
