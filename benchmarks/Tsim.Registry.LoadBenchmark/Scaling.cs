using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>
/// Issue 7's scaling table: the cost of one operation at 100, 1,000, 10,000 and 50,000 registered hosts, for this
/// library and for the Python reference, size by size (C# then Python on the same seed, so both columns of a row
/// were measured a few seconds apart on whatever load the machine had then).
/// </summary>
/// <remarks>
/// Every size starts from a hosts.json holding exactly N hosts, written once in the reference's own format
/// (<c>json.dump(indent=2)</c>; the Python driver checks that byte for byte) and copied to both sides, with an
/// empty host_leases.json. The operations and their order are those of <c>python/bench_scale.py</c>: refused
/// registrations, lease cycles, then registrations each followed by an unregistration (timed apart), so every
/// measured operation sees exactly N hosts and the registry ends as it started.
/// </remarks>
internal sealed class Scaling(string root, string prefix, bool quick, TextWriter output)
{
    /// <summary>Unrecorded operations of each kind before the recorded ones, on both sides, at every size.</summary>
    internal const int WarmupOps = 3;

    /// <summary>The operation kinds, in the order of the tables.</summary>
    internal static readonly string[] Kinds = ["register", "refused", "lease_cycle", "unregister"];

    // Recorded operations per kind: enough for a median and a p90, few enough that Python's ≈ 0.7 s per
    // register+unregister pair at 50,000 hosts keeps the whole run under a minute on 2 vCPUs.
    private static readonly (int Hosts, int Ops)[] s_full = [(100, 200), (1_000, 100), (10_000, 40), (50_000, 20)];
    private static readonly (int Hosts, int Ops)[] s_quick = [(100, 20), (1_000, 10), (10_000, 5)];

    /// <summary>bench_py's <c>host(i)</c> with the MAC's fourth octet from bits 16-23 of i (python/bench_scale.py's <c>host</c>).</summary>
    /// <remarks>bench_py's MACs repeat after 65,536 hosts; these equal them below that and are unique up to 2^24, like the IPs.</remarks>
    internal static (string Name, string Ip, string Router, string Mac) Host(int i)
    {
        var h = Bench.Host(i);
        return (h.Name, h.Ip, h.Router, string.Create(CultureInfo.InvariantCulture, $"02:00:00:{(i >> 16) & 255:x2}:{(i >> 8) & 255:x2}:{i & 255:x2}"));
    }

    /// <summary>A registration that must be refused: new name and MAC, the IP and router of the last seeded host.</summary>
    private static (string Name, string Ip, string Router, string Mac) Refused(int n, int j)
    {
        var last = Host(n - 1);
        return (string.Create(CultureInfo.InvariantCulture, $"refused-{j}"), last.Ip, last.Router,
            string.Create(CultureInfo.InvariantCulture, $"02:ff:00:{(j >> 16) & 255:x2}:{(j >> 8) & 255:x2}:{j & 255:x2}"));
    }

    /// <summary>Runs every size on both sides; returns the "scaling" object of the JSON and prints the tables.</summary>
    internal JsonObject Run()
    {
        var sizes = quick ? s_quick : s_full;
        var seedDir = Path.Combine(root, "seed");
        Directory.CreateDirectory(seedDir);

        output.WriteLine($"[scaling] C# JIT warm-up: {(quick ? 20 : 100)} rounds of every operation on a separate 100-host registry, not measured ...");
        output.Flush();
        var warmupStart = Stopwatch.GetTimestamp();
        JitWarmup(seedDir, quick ? 20 : 100);
        var warmupSeconds = Bench.Since(warmupStart);

        var perSize = new JsonArray();
        foreach (var (n, ops) in sizes)
        {
            var seed = Path.Combine(seedDir, string.Create(CultureInfo.InvariantCulture, $"hosts-{n}.json"));
            WriteSeed(seed, n);
            output.WriteLine($"[scaling {n} hosts] seed {new FileInfo(seed).Length:N0} bytes; C#: {WarmupOps} warm-up + {ops} ops of each kind ...");
            output.Flush();
            var t0 = Stopwatch.GetTimestamp();
            var cs = MeasureCSharp(n, ops, seed);
            cs["wall_s"] = Bench.Round(Bench.Since(t0), 2);
            output.WriteLine($"[scaling {n} hosts] C# done in {cs["wall_s"]} s; {ScalingReport.Checks(cs)}");
            output.WriteLine($"[scaling {n} hosts] C# garbage per op / gen-2 collections over the recorded ops: "
                + string.Join(", ", Kinds.Select(k => Inv($"{k} {cs["gc"]![k]!["allocated_bytes_per_op"]!.GetValue<long>() / 1024.0:0} KiB / {cs["gc"]![k]!["gen2_collections"]}"))));
            output.Flush();

            var (py, skipped) = PythonBaseline.RunScript(
                "bench_scale.py",
                ["--size", Inv($"{n}"), "--ops", Inv($"{ops}"), "--warmup", Inv($"{WarmupOps}"), "--seed", seed],
                "[Python] ",
                output);
            if (py is not null)
            {
                var samples = py["samples_us"]!.AsObject();
                foreach (var kind in Kinds)
                {
                    py[kind] = ScalingReport.Stats(samples[kind]!.AsArray().Select(x => x!.GetValue<double>()).ToList());
                }

                output.WriteLine($"[scaling {n} hosts] Python: {ScalingReport.Checks(py)}; seed is json.dump(indent=2) of itself: "
                    + $"{py["seed_is_python_json_dump_indent2"]}");
                output.Flush();
            }

            var seedBytes = new FileInfo(seed).Length;
            File.Delete(seed);
            perSize.Add(new JsonObject
            {
                ["hosts"] = n,
                ["ops"] = ops,
                ["warmup_ops"] = WarmupOps,
                ["seed_bytes"] = seedBytes,
                ["csharp"] = cs,
                ["python"] = py,
                ["python_skipped"] = skipped,
            });
        }

        var tables = new JsonObject();
        foreach (var kind in Kinds)
        {
            tables[kind] = ScalingReport.Rows(perSize, kind);
        }

        var result = new JsonObject
        {
            ["design"] = "per size: hosts.json seeded with exactly N hosts (the reference's json.dump(indent=2) form, the same "
                + "bytes for both sides) and an empty host_leases.json; per kind " + WarmupOps + " unrecorded warm-up ops, then "
                + "the recorded ones; refused registrations, then lease cycles, then registrations each followed by an "
                + "unregistration (timed apart), so every op sees exactly N hosts; C# in this process after a JIT warm-up, "
                + "Python (python/bench_scale.py) right after C# at the same size; times per op in µs; "
                + "ratio = Python median ÷ C# median (the C# speed-up)",
            ["csharp_jit_warmup_s"] = Bench.Round(warmupSeconds, 2),
            ["sizes"] = perSize,
            ["tables"] = tables,
            ["target_register_10000"] = ScalingReport.Target(tables),
        };
        return result;
    }

    /// <summary>Writes hosts.json with hosts 0 … n-1 exactly as <c>json.dump(hosts, f, indent=2)</c> writes it.</summary>
    internal static void WriteSeed(string path, int n)
    {
        // A fixed clock: the same size always gives the same bytes. The timestamps end in .5 so that both .NET and
        // Python print them with a fraction (Python writes 1767225600.0 where .NET would write 1767225600).
        const long Epoch = 1_767_225_600; // 2026-01-01T00:00:00Z
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentSize = 2, NewLine = "\n" });
        json.WriteStartObject();
        for (var i = 0; i < n; i++)
        {
            var h = Host(i);
            var at = DateTimeOffset.FromUnixTimeSeconds(Epoch + i).UtcDateTime;
            json.WriteStartObject(h.Name);
            json.WriteString("primary_ip", h.Ip);
            json.WriteString("connected_to", h.Router);
            json.WriteString("mac_address", h.Mac);
            json.WriteString("created_at", PythonCTime(at));
            json.WriteNumber("registered_at_timestamp", Epoch + i + 0.5);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    /// <summary>Python's <c>time.strftime('%c')</c> in the C locale: <c>Thu Jan  1 00:00:00 2026</c>.</summary>
    private static string PythonCTime(DateTime t) => string.Create(
        CultureInfo.InvariantCulture, $"{t:ddd MMM} {t.Day,2} {t:HH:mm:ss yyyy}");

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Runs every path the measurement takes often enough for tiered compilation to reach its optimised code, so the
    /// first size does not measure the JIT (Python has none to warm up).
    /// </summary>
    private void JitWarmup(string seedDir, int rounds)
    {
        var seed = Path.Combine(seedDir, "hosts-warmup.json");
        WriteSeed(seed, 100);
        var d = FreshRegistry("cs-warmup", seed);
        var (mgr, _) = Bench.MakeManager(d, prefix);
        using (mgr)
        {
            // In slices with pauses: the runtime promotes hot methods in the background, after a quiet 100 ms.
            for (var slice = 0; slice < 4; slice++)
            {
                Measure(mgr, 100, rounds / 4, 0);
                Thread.Sleep(200);
            }
        }

        Directory.Delete(d, recursive: true);
        File.Delete(seed);
    }

    private string FreshRegistry(string name, string seed)
    {
        var d = Path.Combine(root, name);
        if (Directory.Exists(d))
        {
            Directory.Delete(d, recursive: true);
        }

        Directory.CreateDirectory(d);
        File.Copy(seed, Path.Combine(d, "hosts.json"));
        File.WriteAllText(Path.Combine(d, "host_leases.json"), "{}");
        return d;
    }

    private JsonObject MeasureCSharp(int n, int ops, string seed)
    {
        var d = FreshRegistry(string.Create(CultureInfo.InvariantCulture, $"cs-{n}"), seed);
        var (mgr, log) = Bench.MakeManager(d, prefix);
        JsonObject result;
        using (mgr)
        {
            var (samples, wrong, gc) = Measure(mgr, n, ops, WarmupOps);
            result = new JsonObject { ["samples_us"] = new JsonObject(), ["wrong_results"] = new JsonObject(), ["gc"] = new JsonObject() };
            foreach (var kind in Kinds)
            {
                result["samples_us"]![kind] = new JsonArray(samples[kind].Select(x => (JsonNode)JsonValue.Create(x)).ToArray());
                result["wrong_results"]![kind] = wrong[kind];
                result[kind] = ScalingReport.Stats(samples[kind]);
                var tally = gc[kind];
                result["gc"]![kind] = new JsonObject
                {
                    ["allocated_bytes_per_op"] = tally[0] / ops,
                    ["gen0_collections"] = tally[1],
                    ["gen1_collections"] = tally[2],
                    ["gen2_collections"] = tally[3],
                };
            }

            result["log_warn_err"] = Bench.Counts(log.Counts);
        }

        result["checks"] = Check(d, n);
        Directory.Delete(d, recursive: true);
        return result;
    }

    /// <summary>The operations of python/bench_scale.py's <c>measure</c>, in the same order, timed one by one.</summary>
    /// <returns>Per kind: the recorded times in µs, how many results were not the expected one, and what the recorded
    /// operations cost the garbage collector (bytes this thread allocated, collections of each generation).</returns>
    private static (Dictionary<string, List<double>> Samples, Dictionary<string, int> Wrong, Dictionary<string, long[]> Gc) Measure(
        RegistryManager mgr, int n, int ops, int warmup)
    {
        var samples = Kinds.ToDictionary(k => k, _ => new List<double>(ops), StringComparer.Ordinal);
        var wrong = Kinds.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        var gc = Kinds.ToDictionary(k => k, _ => new long[4], StringComparer.Ordinal);
        var lease = Host(0);

        for (var j = 0; j < warmup + ops; j++)
        {
            var r = Refused(n, j);
            Op("refused", j, () => !mgr.CheckAndRegisterHost(r.Name, r.Ip, r.Router, r.Mac));
        }

        for (var j = 0; j < warmup + ops; j++)
        {
            var runId = string.Create(CultureInfo.InvariantCulture, $"run-{j}");
            Op("lease_cycle", j, () =>
            {
                var count = mgr.AcquireSourceHostLease(runId, lease.Name, "quick", lease.Router, dscp: 32);
                var released = mgr.ReleaseSourceHostLease(runId, lease.Name);
                return count == 1 && released is { RefCount: 0, ShouldDelete: true };
            });
        }

        for (var j = 0; j < warmup + ops; j++)
        {
            var h = Host(n + j);
            Op("register", j, () => mgr.CheckAndRegisterHost(h.Name, h.Ip, h.Router, h.Mac));
            Op("unregister", j, () => mgr.UnregisterHost(h.Name));
        }

        return (samples, wrong, gc);

        // Only the call is timed; the GC counters are read outside the timed span.
        void Op(string kind, int j, Func<bool> operation)
        {
            var bytes = GC.GetAllocatedBytesForCurrentThread();
            int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
            var t0 = Stopwatch.GetTimestamp();
            var expected = operation();
            var us = Bench.Since(t0) * 1e6;
            wrong[kind] += expected ? 0 : 1;
            if (j >= warmup)
            {
                samples[kind].Add(Math.Round(us, 1));
                var tally = gc[kind];
                tally[0] += GC.GetAllocatedBytesForCurrentThread() - bytes;
                tally[1] += GC.CollectionCount(0) - g0;
                tally[2] += GC.CollectionCount(1) - g1;
                tally[3] += GC.CollectionCount(2) - g2;
            }
        }
    }

    /// <summary>The registry after the run (as python/bench_scale.py's <c>check</c>): the seed's N hosts, no duplicate, no lease.</summary>
    private static JsonObject Check(string d, int n)
    {
        using var hosts = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(d, "hosts.json")));
        using var leases = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(d, "host_leases.json")));
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ips = new List<string>();
        var macs = new List<string>();
        foreach (var entry in hosts.RootElement.EnumerateObject())
        {
            names.Add(entry.Name);
            ips.Add(entry.Value.GetProperty("primary_ip").GetString()!.Split('/')[0]);
            macs.Add(entry.Value.GetProperty("mac_address").GetString()!);
        }

        return new JsonObject
        {
            ["hosts_after"] = names.Count,
            ["hosts_are_the_seed"] = names.SetEquals(Enumerable.Range(0, n).Select(i => Host(i).Name)),
            ["dup_ips"] = ips.Count - ips.Distinct(StringComparer.Ordinal).Count(),
            ["dup_macs"] = macs.Count - macs.Distinct(StringComparer.Ordinal).Count(),
            ["leases_after"] = leases.RootElement.EnumerateObject().Count(),
            ["hosts_json_bytes_after"] = new FileInfo(Path.Combine(d, "hosts.json")).Length,
        };
    }
}
