using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>The side-by-side table: per workload the headline of both, the speed-up (higher is better) and issue 7's target.</summary>
internal static class Report
{
    private static double? D(JsonObject? results, string workload, string key) =>
        (results?[workload] as JsonObject)?[key] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture)
            : null;

    private static string F(double? v, string unit) =>
        v is { } x ? x.ToString(x >= 100 ? "#,0" : "0.###", CultureInfo.InvariantCulture) + unit : "–";

    /// <summary>One row per workload: C#, Python, speed-up C# over Python, target, verdict.</summary>
    /// <param name="cs">The C# results.</param>
    /// <param name="py">Python's results, if it ran.</param>
    /// <param name="cli">The one-shot command-line calls (<see cref="CliOneShot"/>), if they ran.</param>
    internal static JsonArray Compare(JsonObject cs, JsonObject? py, JsonObject? cli = null)
    {
        var rows = new JsonArray();
        // A C#-only variant (W3c) is compared with the Python workload it varies (W3): Python has only the one mode.
        void Throughput(string w, string label, string key, string unit, double? target, string? pythonWorkload = null, string? pythonKey = null)
        {
            double? c = D(cs, w, key), p = D(py, pythonWorkload ?? w, pythonKey ?? key);
            var speedup = c is { } a && p is { } b && b > 0 ? Math.Round(a / b, 2) : (double?)null;
            Add(w, label, F(c, unit), F(p, unit), speedup, target is { } t ? $"≥ {t}×" : "–",
                target is { } t2 && speedup is { } s ? s >= t2 : null);
        }

        void Add(string w, string label, string c, string p, double? speedup, string target, bool? met) => rows.Add(new JsonObject
        {
            ["workload"] = w,
            ["metric"] = label,
            ["csharp"] = c,
            ["python"] = p,
            ["speedup"] = speedup,
            ["target"] = target,
            ["met"] = met,
        });

        Throughput("W1", "register 1000 hosts, 1 process", "ops_per_s", " ops/s", 10);
        Throughput("W2", "register 1000 hosts, 8 processes", "ops_per_s", " ops/s", 10);

        // Cold: fresh C# processes without JIT warm-up, against Python's W2 (forked from a warm interpreter).
        Throughput("W2cold", "cold: W2 in 8 fresh processes, no warm-up, from GO", "ops_per_s", " ops/s", 5, "W2");
        Throughput("W2cold", "cold: the same, from the first process start", "ops_per_s_with_start", " ops/s", null, "W2", "ops_per_s");
        Throughput("W3", "router lock+unlock ×10000, 1 process", "cycles_per_s", " cycles/s", 1);
        Throughput("W3c", "W3, C#-only registry (shared_with_python: false)", "cycles_per_s", " cycles/s", 2, "W3");
        Throughput("W4", "4 processes × 2000 on one router", "cycles_per_s", " cycles/s", 1);
        Throughput("W4c", "W4, C#-only registry (shared_with_python: false)", "cycles_per_s", " cycles/s", 2, "W4");
        Throughput("W4e", "W4 with an empty critical section (no file I/O; python/bench_w4e.py)", "cycles_per_s", " cycles/s", 1);
        Throughput("W5", "host lease acq+rel ×1000, 1 host", "cycles_per_s", " cycles/s", null);
        Throughput("W5b", "the same, 1000 hosts registered", "cycles_per_s", " cycles/s", 20);

        // Latency: the speed-up is Python's latency over C#'s; "at most half of Python's" is a speed-up ≥ 2.
        double? ca = D(cs, "W6", "acquire_router_lock_wakeup_median_us"), pa = D(py, "W6", "acquire_router_lock_wakeup_median_us");
        var wake = ca is { } x && pa is { } y && x > 0 ? Math.Round(y / x, 2) : (double?)null;
        Add("W6", "acquire_router_lock wake-up, median", F(ca, " µs"), F(pa, " µs"), wake, "≤ ½ Python (≥ 2×)", wake is { } wv ? wv >= 2 : null);
        double? cac = D(cs, "W6c", "acquire_router_lock_wakeup_median_us");
        var wakeC = cac is { } xc && pa is { } yc && xc > 0 ? Math.Round(yc / xc, 2) : (double?)null;
        Add("W6c", "the same, C#-only registry", F(cac, " µs"), F(pa, " µs"), wakeC, "≤ ½ Python (≥ 2×)", wakeC is { } wvc ? wvc >= 2 : null);

        double? cw = D(cs, "W6", "wait_for_router_wakeup_median_ms"), cwb = D(cs, "W6", "wait_for_router_returned_before_release");
        double? pwb = D(py, "W6", "wait_for_router_returned_before_release"), it = D(py, "W6", "iterations");
        Add("W6", "wait_for_router wake-up, median", F(cw, " ms") + (cwb > 0 ? $" ({cwb} returned before release)" : string.Empty),
            py is null ? "–" : $"{F(D(py, "W6", "wait_for_router_wakeup_median_ms"), " ms")} ({pwb}/{it} returned before release)",
            null, "≤ 5 ms", cw is { } cwv ? cwv <= 5 && cwb == 0 : null);

        var cRet = (cs["W7"] as JsonObject)?["a_spec_locked_returned"]?.GetValue<bool>();
        double? cCpu = D(cs, "W7", "a_cpu_s"), cEl = D(cs, "W7", "a_elapsed_s");
        var pW7 = py?["W7"] as JsonObject;
        Add("W7", "wait_for_router on a held router, 2 s: CPU",
            cCpu is null ? "–" : $"{F(cCpu, " s")} CPU, returned {(cRet == true ? "true" : "false")} after {F(cEl, " s")}",
            pW7 is null ? "–" : $"returned {pW7["a_spec_locked_returned"]?.ToJsonString()} after {F(D(py, "W7", "a_elapsed_s"), " s")}; "
                + $"lock file present: {F(D(py, "W7", "b_cpu_s"), " s")} CPU in {F(D(py, "W7", "b_elapsed_s"), " s")}",
            null, "< 0.05 s CPU, waits 2 s", cCpu is { } cc ? cc < 0.05 && cRet == false && cEl >= 1.9 : null);

        // Cold: one process per call, started, one operation, exited; the speed-up is Python's wall time over C#'s.
        foreach (var (command, label) in new[] { ("is_locked", "is-locked"), ("register", "register"), ("lease_acquire", "lease-acquire") })
        {
            double? cm = D(cli, command, "csharp_median_ms"), pm = D(cli, command, "python_median_ms");
            Add("CLI", $"cold: one-shot `{label}`, wall time median of {cli?["runs"]}", F(cm, " ms"), F(pm, " ms"),
                cm is { } c1 && pm is { } p1 && c1 > 0 ? Math.Round(p1 / c1, 2) : null, "–", null);
        }

        return rows;
    }

    internal static string Table(JsonArray rows, bool withPython)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| workload | measure | C# | Python | C# ÷ Python (speed-up) | target | met |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var row in rows.OfType<JsonObject>().Where(r => r["csharp"]!.GetValue<string>() != "–"))
        {
            var speedup = row["speedup"] is JsonValue v ? v.GetValue<double>().ToString("0.##", CultureInfo.InvariantCulture) + "×" : "–";
            var met = row["met"] is JsonValue m ? (m.GetValue<bool>() ? "yes" : "**no**") : "–";
            if (!withPython && row["target"]!.GetValue<string>().Contains('×', StringComparison.Ordinal))
            {
                met = "– (no Python run)";
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $"| {row["workload"]} | {row["metric"]} | {row["csharp"]} | {row["python"]} | {speedup} | {row["target"]} | {met} |");
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>The C# side's correctness counters and latency percentiles, which the headline table leaves out.</summary>
    internal static string Details(JsonObject cs)
    {
        var sb = new StringBuilder("C# details:");
        sb.AppendLine();
        foreach (var (name, node) in cs)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {name}: {node?.ToJsonString()}");
        }

        return sb.ToString().TrimEnd();
    }
}
