using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>
/// W1-W7 exactly as bench_py.py defines them (same counts, same measurements, same result keys), against the C#
/// library. Single-process workloads run in this process, as bench_py runs them in its main process; multi-process
/// ones start one worker process each.
/// </summary>
internal sealed class Workloads(string root, string prefix, int scale, string workerVerb)
{
    internal const double HoldAfterWaiter = 0.15;

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    internal string FreshDir(string name)
    {
        var d = Path.Combine(root, name);
        if (Directory.Exists(d))
        {
            Directory.Delete(d, recursive: true);
        }

        Directory.CreateDirectory(d);
        return d;
    }

    private WorkerProcess Start(params string[] args) => WorkerProcess.Start(workerVerb, args);

    internal JsonObject W1()
    {
        var n = 1000 / scale;
        var d = FreshDir("w1");
        var (mgr, log) = Bench.MakeManager(d, prefix);
        using (mgr)
        {
            var lat = new List<double>(n);
            var ok = 0;
            var tAll = Stopwatch.GetTimestamp();
            for (var i = 0; i < n; i++)
            {
                var h = Bench.Host(i);
                var t0 = Stopwatch.GetTimestamp();
                ok += mgr.CheckAndRegisterHost(h.Name, h.Ip, h.Router, h.Mac) ? 1 : 0;
                lat.Add(Bench.Since(t0));
            }

            var total = Bench.Since(tAll);
            var k = Math.Max(1, n / 10);
            double first = Bench.Mean(lat.Take(k)), last = Bench.Mean(lat.Skip(n - k));
            return new JsonObject
            {
                ["ops"] = n,
                ["registered"] = ok,
                ["wall_s"] = Bench.Round(total, 3),
                ["ops_per_s"] = Bench.Round(n / total, 1),
                [Inv($"first{k}_mean_ms")] = Bench.Ms(first),
                [Inv($"last{k}_mean_ms")] = Bench.Ms(last),
                ["last_over_first"] = Bench.Round(last / first, 2),
                ["hosts_json_bytes"] = new FileInfo(Path.Combine(d, "hosts.json")).Length,
                ["log_warn_err"] = Bench.Counts(log.Counts),
            };
        }
    }

    internal JsonObject W2()
    {
        int n = 1000 / scale, nproc = 8;
        var d = FreshDir("w2");
        var ps = new List<WorkerProcess>();
        try
        {
            for (var k = 0; k < nproc; k++)
            {
                ps.Add(Start("w2", d, prefix, Inv($"{k}"), Inv($"{nproc}"), Inv($"{n}")));
            }

            foreach (var p in ps)
            {
                p.Expect("READY"); // the barrier: every worker has its manager
            }

            var t0 = Stopwatch.GetTimestamp();
            foreach (var p in ps)
            {
                p.Send("GO");
            }

            var res = ps.Select(p => JsonNode.Parse(p.ReadLine())!.AsObject()).ToList();
            var wall = Bench.Since(t0);
            foreach (var p in ps)
            {
                p.Join();
            }

            return W2Result(d, n, nproc, res, wall);
        }
        finally
        {
            ps.ForEach(p => p.Dispose());
        }
    }

    /// <summary>
    /// W2 with cold workers: 8 fresh processes, no JIT warm-up, each building its manager after GO. Timed from GO
    /// (every process started, its Main run, the library not yet loaded) to the last result, as W2; also from
    /// before the first process start (<c>wall_with_start_s</c>).
    /// </summary>
    internal JsonObject W2Cold()
    {
        int n = 1000 / scale, nproc = 8;
        var d = FreshDir("w2cold");
        var ps = new List<WorkerProcess>();
        try
        {
            var tStart = Stopwatch.GetTimestamp();
            for (var k = 0; k < nproc; k++)
            {
                ps.Add(Start(ColdWorker.Kind, d, prefix, Inv($"{k}"), Inv($"{nproc}"), Inv($"{n}")));
            }

            foreach (var p in ps)
            {
                p.Expect("READY"); // Main has run; the library is not loaded
            }

            var ready = Bench.Since(tStart);
            var t0 = Stopwatch.GetTimestamp();
            foreach (var p in ps)
            {
                p.Send("GO");
            }

            var res = ps.Select(p => JsonNode.Parse(p.ReadLine())!.AsObject()).ToList();
            var wall = Bench.Since(t0);
            var wallWithStart = Bench.Since(tStart);
            foreach (var p in ps)
            {
                p.Join();
            }

            var o = W2Result(d, n, nproc, res, wall);
            o["wall_with_start_s"] = Bench.Round(wallWithStart, 3);
            o["ops_per_s_with_start"] = Bench.Round(n / wallWithStart, 1);
            o["start_to_all_ready_s"] = Bench.Round(ready, 3);
            o["library_loaded_before_go"] = res.Count(r => r["library_loaded_before_go"]!.GetValue<bool>());
            foreach (var key in new[] { "construct_s", "first_op_s", "rest_s" })
            {
                o[key.Replace("_s", "_median_ms", StringComparison.Ordinal)] =
                    Bench.Ms(Bench.Median(res.Select(r => r[key]!.GetValue<double>()).ToList()));
            }

            foreach (var phase in new[] { "construct", "first_op", "rest" })
            {
                o[$"jit_methods_{phase}_median"] = Bench.Median(res.Select(r => (double)r[$"jit_methods_{phase}"]!.GetValue<long>()).ToList());
                o[$"jit_ms_{phase}_median"] = Bench.Round(Bench.Median(res.Select(r => r[$"jit_ms_{phase}"]!.GetValue<double>()).ToList()), 1);
            }

            return o;
        }
        finally
        {
            ps.ForEach(p => p.Dispose());
        }
    }

    /// <summary>W2's result and correctness checks: every host present once, no duplicate IP or MAC.</summary>
    private static JsonObject W2Result(string d, int n, int nproc, List<JsonObject> res, double wall)
    {
        using var hostsDoc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(d, "hosts.json")));
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ips = new List<string>();
        var macs = new List<string>();
        foreach (var entry in hostsDoc.RootElement.EnumerateObject())
        {
            names.Add(entry.Name);
            ips.Add(entry.Value.GetProperty("primary_ip").GetString()!);
            macs.Add(entry.Value.GetProperty("mac_address").GetString()!);
        }

        var expected = Enumerable.Range(0, n).Select(i => Bench.Host(i).Name).ToHashSet(StringComparer.Ordinal);
        var logs = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in res)
        {
            Bench.AddCounts(logs, r["log"]);
        }

        int Sum(string key) => res.Sum(r => r[key]!.GetValue<int>());
        var elapsed = res.Select(r => r["elapsed"]!.GetValue<double>()).ToList();
        return new JsonObject
        {
            ["ops"] = n,
            ["processes"] = nproc,
            ["wall_s"] = Bench.Round(wall, 3),
            ["ops_per_s"] = Bench.Round(n / wall, 1),
            ["registered_true"] = Sum("ok"),
            ["returned_false"] = Sum("collisions"),
            ["lock_timeouts"] = Sum("timeouts"),
            ["other_errors"] = Sum("errors"),
            ["present"] = names.Intersect(expected).Count(),
            ["missing"] = expected.Except(names).Count(),
            ["dup_ips"] = ips.Count - ips.Distinct(StringComparer.Ordinal).Count(),
            ["dup_macs"] = macs.Count - macs.Distinct(StringComparer.Ordinal).Count(),
            ["slowest_proc_s"] = Bench.Round(elapsed.Max(), 3),
            ["fastest_proc_s"] = Bench.Round(elapsed.Min(), 3),
            ["all_present_no_dups"] = names.SetEquals(expected) && ips.Distinct(StringComparer.Ordinal).Count() == n
                && macs.Distinct(StringComparer.Ordinal).Count() == n,
            ["log_warn_err"] = Bench.Counts(logs),
        };
    }

    /// <summary>bench_py's W3; with <paramref name="sharedWithPython"/> false, the C#-only variant W3c.</summary>
    internal JsonObject W3(bool sharedWithPython = true)
    {
        var n = 10000 / scale;
        var d = FreshDir(sharedWithPython ? "w3" : "w3c");
        var (mgr, log) = Bench.MakeManager(d, prefix, sharedWithPython);
        using (mgr)
        {
            var latA = new List<double>(n);
            var latC = new List<double>(n);
            var fails = 0;
            var timeout = TimeSpan.FromSeconds(5);
            var tAll = Stopwatch.GetTimestamp();
            for (var i = 0; i < n; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (!mgr.AcquireRouterLock("bench-w3", "job-w3", timeout))
                {
                    fails++;
                }

                var t1 = Stopwatch.GetTimestamp();
                mgr.ReleaseRouterLock("bench-w3", "job-w3");
                var t2 = Stopwatch.GetTimestamp();
                latA.Add(Stopwatch.GetElapsedTime(t0, t1).TotalSeconds);
                latC.Add(Stopwatch.GetElapsedTime(t0, t2).TotalSeconds);
            }

            var total = Bench.Since(tAll);
            return new JsonObject
            {
                ["cycles"] = n,
                ["wall_s"] = Bench.Round(total, 3),
                ["cycles_per_s"] = Bench.Round(n / total, 1),
                ["cycle_p50_us"] = Bench.Us(Bench.Pct(latC, 50)),
                ["cycle_p99_us"] = Bench.Us(Bench.Pct(latC, 99)),
                ["acquire_p50_us"] = Bench.Us(Bench.Pct(latA, 50)),
                ["acquire_p99_us"] = Bench.Us(Bench.Pct(latA, 99)),
                ["failed_acquires"] = fails,
                ["log_warn_err"] = Bench.Counts(log.Counts),
            };
        }
    }

    /// <summary>
    /// bench_py's W4; with <paramref name="sharedWithPython"/> false, the C#-only variant W4c; with
    /// <paramref name="emptyCriticalSection"/>, W4e (python/bench_w4e.py): the critical section does no file I/O, it only
    /// checks exclusion and counts in a shared mapped page.
    /// </summary>
    internal JsonObject W4(bool sharedWithPython = true, bool emptyCriticalSection = false)
    {
        int nproc = 4, cycles = 2000 / scale;
        var d = FreshDir(emptyCriticalSection ? "w4e" : sharedWithPython ? "w4" : "w4c");
        File.WriteAllText(Path.Combine(d, "cs.counter"), "0");
        File.WriteAllBytes(Path.Combine(d, "cs.page"), new byte[4096]);
        var ps = new List<WorkerProcess>();
        try
        {
            for (var k = 0; k < nproc; k++)
            {
                ps.Add(Start(Workers.Kind(emptyCriticalSection ? "w4e" : "w4", sharedWithPython), d, prefix, Inv($"{k}"), Inv($"{cycles}")));
            }

            foreach (var p in ps)
            {
                p.Expect("READY");
            }

            var t0 = Stopwatch.GetTimestamp();
            foreach (var p in ps)
            {
                p.Send("GO");
            }

            var res = ps.Select(p => JsonNode.Parse(p.ReadLine())!.AsObject()).ToList();
            var wall = Bench.Since(t0);
            foreach (var p in ps)
            {
                p.Join();
            }

            var final = emptyCriticalSection
                ? BitConverter.ToInt64(File.ReadAllBytes(Path.Combine(d, "cs.page")), 8)
                : int.Parse(File.ReadAllText(Path.Combine(d, "cs.counter")), CultureInfo.InvariantCulture);
            int Sum(string key) => res.Sum(r => r[key]!.GetValue<int>());
            double Of(string key, Func<IEnumerable<double>, double> f) => f(res.Select(r => r[key]!.GetValue<double>()));
            var done = (nproc * cycles) - Sum("timeouts");
            return new JsonObject
            {
                ["processes"] = nproc,
                ["cycles_each"] = cycles,
                ["wall_s"] = Bench.Round(wall, 3),
                ["cycles_per_s"] = Bench.Round(done / wall, 1),
                ["violations_marker"] = Sum("violations"),
                ["counter_final"] = final,
                ["counter_expected"] = done,
                ["lost_updates"] = done - final,
                ["acquire_timeouts"] = Sum("timeouts"),
                ["max_acquire_wait_ms"] = Bench.Ms(Of("max_wait", v => v.Max())),
                ["proc_elapsed_min_s"] = Bench.Round(Of("elapsed", v => v.Min()), 3),
                ["proc_elapsed_max_s"] = Bench.Round(Of("elapsed", v => v.Max()), 3),
            };
        }
        finally
        {
            ps.ForEach(p => p.Dispose());
        }
    }

    private static JsonObject LeaseCycles(RegistryManager mgr, string hostName, string router, int n)
    {
        var lat = new List<double>(n);
        var tAll = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var runId = string.Create(CultureInfo.InvariantCulture, $"run-{i}");
            var c = mgr.AcquireSourceHostLease(runId, hostName, "quick", router, dscp: 32);
            if (c != 1)
            {
                throw new InvalidOperationException($"lease count {c}, expected 1");
            }

            var released = mgr.ReleaseSourceHostLease(runId, hostName);
            if (!released.ShouldDelete)
            {
                throw new InvalidOperationException($"release returned {released}, expected should-delete");
            }

            lat.Add(Bench.Since(t0));
        }

        var total = Bench.Since(tAll);
        return new JsonObject
        {
            ["cycles"] = n,
            ["wall_s"] = Bench.Round(total, 3),
            ["cycles_per_s"] = Bench.Round(n / total, 1),
            ["cycle_p50_us"] = Bench.Us(Bench.Pct(lat, 50)),
            ["cycle_p99_us"] = Bench.Us(Bench.Pct(lat, 99)),
        };
    }

    internal JsonObject W5()
    {
        var n = 1000 / scale;
        var d = FreshDir("w5");
        var (mgr, log) = Bench.MakeManager(d, prefix);
        using (mgr)
        {
            var h = Bench.Host(0);
            if (!mgr.CheckAndRegisterHost(h.Name, h.Ip, h.Router, h.Mac))
            {
                throw new InvalidOperationException("W5: host-0000 was not registered");
            }

            var o = LeaseCycles(mgr, h.Name, h.Router, n);
            o["hosts_in_registry"] = 1;
            o["log_warn_err"] = Bench.Counts(log.Counts);
            return o;
        }
    }

    /// <summary>Same as W5, but hosts.json holds the hosts W1 registered.</summary>
    internal JsonObject W5b(string w1Dir)
    {
        var n = 1000 / scale;
        var d = FreshDir("w5b");
        File.Copy(Path.Combine(w1Dir, "hosts.json"), Path.Combine(d, "hosts.json"));
        var (mgr, log) = Bench.MakeManager(d, prefix);
        using (mgr)
        {
            var nh = mgr.ListAllHosts().Count;
            var h = Bench.Host(0);
            var o = LeaseCycles(mgr, h.Name, h.Router, n);
            o["hosts_in_registry"] = nh;
            o["log_warn_err"] = Bench.Counts(log.Counts);
            return o;
        }
    }

    private (List<double> Latencies, int Oks) W6Run(string mode, int iters, bool sharedWithPython)
    {
        var d = FreshDir((sharedWithPython ? "w6-" : "w6c-") + mode);
        using var a = Start(Workers.Kind("w6-holder", sharedWithPython), d, prefix, mode, Inv($"{iters}"));
        using var b = Start(Workers.Kind("w6-waiter", sharedWithPython), d, prefix, mode, Inv($"{iters}"));
        var lat = new List<double>(iters);
        var oks = 0;
        for (var i = 0; i < iters; i++)
        {
            a.Send("ACQ");
            a.Expect("HELD");
            b.Send("GO");
            b.Expect("WAITING");
            a.Send("REL");
            var tRelease = double.Parse(a.ReadLine(), CultureInfo.InvariantCulture);
            var parts = b.ReadLine().Split(' ');
            oks += parts[0] == "1" ? 1 : 0;
            lat.Add(double.Parse(parts[1], CultureInfo.InvariantCulture) - tRelease);
        }

        a.Join();
        b.Join();

        // The next mode runs in another directory: the prefix's binding to this one's lock directory must go too.
        LoadBenchmarkRunner.UnlinkSemaphores(prefix);
        return (lat, oks);
    }

    /// <summary>bench_py's W6; with <paramref name="sharedWithPython"/> false, the C#-only variant W6c.</summary>
    internal JsonObject W6(bool sharedWithPython = true)
    {
        var iters = Math.Max(3, 20 / scale);
        var (latA, okA) = W6Run("acquire", iters, sharedWithPython);
        var (latW, okW) = W6Run("wait", iters, sharedWithPython);
        return new JsonObject
        {
            ["iterations"] = iters,
            ["holder_keeps_lock_after_waiter_starts_s"] = HoldAfterWaiter,
            ["acquire_router_lock_wakeup_median_us"] = Bench.Us(Bench.Median(latA)),
            ["acquire_router_lock_wakeup_max_us"] = Bench.Us(latA.Max()),
            ["acquire_router_lock_ok"] = okA,
            ["wait_for_router_wakeup_median_ms"] = Bench.Ms(Bench.Median(latW)),
            ["wait_for_router_returned_before_release"] = latW.Count(x => x < 0),
            ["wait_for_router_returned_true"] = okW,
            ["note"] = "negative wait_for_router latency = it returned while the router was still locked",
        };
    }

    private static (bool Returned, double Elapsed, double Cpu) CpuOfWait(RegistryManager mgr, string router, double timeout)
    {
        double c0 = Bench.ProcessCpuSeconds(), t0 = Bench.Now();
        var ret = mgr.WaitForRouter(router, TimeSpan.FromSeconds(timeout));
        return (ret, Bench.Now() - t0, Bench.ProcessCpuSeconds() - c0);
    }

    internal JsonObject W7()
    {
        var d = FreshDir("w7");
        using var p = Start("w7-holder", d, prefix);
        p.Expect("HELD");
        var (mgr, _) = Bench.MakeManager(d, prefix);
        using (mgr)
        {
            // (a) as specified: the router really locked by another process.
            var (retA, elA, cpuA) = CpuOfWait(mgr, "bench-w7", 2.0);

            // (b) bench_py creates the lock file the spec's wait_for_router looks for (<lock_dir>/tsim-router-<name>).
            // In this library that path is the holder's owner record, which exists already: it is left untouched
            // (overwriting it would corrupt the holder's record) and the wait is measured again.
            var lockFile = Path.Combine(d, "locks", prefix + "-router-bench-w7");
            var lockFilePresent = File.Exists(lockFile);
            var (retB, elB, cpuB) = CpuOfWait(mgr, "bench-w7", 2.0);
            p.Send("STOP");
            p.Join();
            return new JsonObject
            {
                ["a_spec_locked_returned"] = retA,
                ["a_elapsed_s"] = Bench.Round(elA, 4),
                ["a_cpu_s"] = Bench.Round(cpuA, 4),
                ["b_lockfile_present_returned"] = retB,
                ["b_elapsed_s"] = Bench.Round(elB, 3),
                ["b_cpu_s"] = Bench.Round(cpuB, 3),
                ["b_cpu_fraction"] = elB > 0 ? Bench.Round(cpuB / elB, 2) : null,
                ["b_lockfile_was_already_present_as_owner_record"] = lockFilePresent,
            };
        }
    }
}
