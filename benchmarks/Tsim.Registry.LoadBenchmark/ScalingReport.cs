using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>
/// The scaling table's results (<see cref="Scaling"/>): per-kind statistics, the checks, the rows of both sides with
/// the speed-up, the 10,000-host target, and the tables for people.
/// </summary>
internal static class ScalingReport
{
    private static readonly Dictionary<string, string> s_titles = new(StringComparer.Ordinal)
    {
        ["register"] = "registration of a new host (check_and_register_host → True; unregistered again, untimed)",
        ["refused"] = "refused registration (IP of the last seeded host on its router → False, no write)",
        ["lease_cycle"] = "host lease acquire + release on one registered host",
        ["unregister"] = "unregistration of the host just registered (→ True)",
    };

    /// <summary>Median (bench_py's <c>statistics.median</c>), p90 (bench_py's nearest-rank <c>pct</c>), mean, min, max, in µs.</summary>
    internal static JsonObject Stats(List<double> us) => new()
    {
        ["n"] = us.Count,
        ["median_us"] = Bench.Round(Bench.Median(us), 1),
        ["p90_us"] = Bench.Round(Bench.Pct(us, 90), 1),
        ["mean_us"] = Bench.Round(Bench.Mean(us), 1),
        ["min_us"] = Bench.Round(us.Min(), 1),
        ["max_us"] = Bench.Round(us.Max(), 1),
    };

    /// <summary>One line per side: every result as expected, and the registry as it started.</summary>
    internal static string Checks(JsonObject side)
    {
        var wrong = side["wrong_results"]!.AsObject();
        var c = side["checks"]!.AsObject();
        var wrongTotal = wrong.Sum(w => w.Value!.GetValue<int>());
        return $"unexpected results {wrongTotal} ({string.Join(", ", wrong.Select(w => $"{w.Key} {w.Value}"))}); after the run "
            + $"{c["hosts_after"]} hosts, the seed's: {c["hosts_are_the_seed"]}, dup IP/MAC {c["dup_ips"]}/{c["dup_macs"]}, "
            + $"leases left {c["leases_after"]}";
    }

    /// <summary>Every check that did not hold, one line each; a Python size that did not run is not a failure (its cells say –).</summary>
    internal static IEnumerable<string> Failures(JsonObject scaling)
    {
        foreach (var size in scaling["sizes"]!.AsArray().OfType<JsonObject>())
        {
            var n = size["hosts"]!.GetValue<int>();
            foreach (var (side, node) in new[] { ("C#", size["csharp"]), ("Python", size["python"]) })
            {
                if (node is not JsonObject o)
                {
                    continue;
                }

                foreach (var (kind, count) in o["wrong_results"]!.AsObject())
                {
                    if (count!.GetValue<int>() != 0)
                    {
                        yield return Inv($"{side}, {n} hosts: {count} unexpected results of {kind}");
                    }
                }

                var c = o["checks"]!.AsObject();
                if (c["hosts_after"]!.GetValue<int>() != n || !c["hosts_are_the_seed"]!.GetValue<bool>()
                    || c["dup_ips"]!.GetValue<int>() != 0 || c["dup_macs"]!.GetValue<int>() != 0 || c["leases_after"]!.GetValue<int>() != 0)
                {
                    yield return Inv($"{side}, {n} hosts: registry after the run {c.ToJsonString()}");
                }

                if (o["seed_is_python_json_dump_indent2"] is JsonValue same && !same.GetValue<bool>())
                {
                    yield return Inv($"{side}, {n} hosts: the seed differs from Python's json.dump(indent=2) of it");
                }
            }
        }
    }

    internal static JsonArray Rows(JsonArray perSize, string kind)
    {
        var rows = new JsonArray();
        foreach (var size in perSize.OfType<JsonObject>())
        {
            var cs = size["csharp"]![kind]!.AsObject();
            var py = size["python"]?[kind] as JsonObject;
            double c = cs["median_us"]!.GetValue<double>();
            double? p = py?["median_us"]!.GetValue<double>();
            rows.Add(new JsonObject
            {
                ["hosts"] = size["hosts"]!.GetValue<int>(),
                ["ops"] = size["ops"]!.GetValue<int>(),
                ["csharp_median_us"] = c,
                ["csharp_p90_us"] = cs["p90_us"]!.GetValue<double>(),
                ["python_median_us"] = p,
                ["python_p90_us"] = py?["p90_us"]!.GetValue<double>(),
                ["ratio"] = p is { } pv && c > 0 ? Math.Round(pv / c, 2) : null,
            });
        }

        return rows;
    }

    internal static JsonObject Target(JsonObject tables)
    {
        var row = tables["register"]!.AsArray().OfType<JsonObject>().FirstOrDefault(r => r["hosts"]!.GetValue<int>() == 10_000);
        var ratio = row?["ratio"]?.GetValue<double>();
        return new JsonObject
        {
            ["target"] = "at 10,000 hosts a registration ≥ 10× faster than Python's at 10,000",
            ["ratio"] = ratio,
            ["met"] = ratio is { } r ? r >= 10 : null,
        };
    }

    /// <summary>The tables for people: per kind, per size, C# and Python median (p90) and the speed-up.</summary>
    internal static string Table(JsonObject scaling)
    {
        var sb = new StringBuilder();
        foreach (var kind in Scaling.Kinds)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{s_titles[kind]}:");
            sb.AppendLine("| hosts | ops | C# median (p90) | Python median (p90) | Python ÷ C# (speed-up) |");
            sb.AppendLine("|---:|---:|---:|---:|---:|");
            foreach (var row in scaling["tables"]![kind]!.AsArray().OfType<JsonObject>())
            {
                var ratio = row["ratio"] is JsonValue v ? v.GetValue<double>().ToString("0.##", CultureInfo.InvariantCulture) + "×" : "–";
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row["hosts"]!.GetValue<int>():N0} | {row["ops"]} | {Ms(row["csharp_median_us"])} ({Ms(row["csharp_p90_us"])}) "
                    + $"| {Ms(row["python_median_us"])} ({Ms(row["python_p90_us"])}) | {ratio} |");
            }

            sb.AppendLine();
        }

        var target = scaling["target_register_10000"]!.AsObject();
        var met = target["met"] is JsonValue m ? (m.GetValue<bool>() ? "yes" : "**no**") : "– (not measured)";
        sb.Append(CultureInfo.InvariantCulture, $"target: {target["target"]}: {(target["ratio"] is JsonValue rv ? rv.GetValue<double>().ToString("0.##", CultureInfo.InvariantCulture) + "×" : "–")}, met: {met}");
        return sb.ToString();
    }

    /// <summary>Milliseconds with three significant digits or more: 0.213 ms, 21.3 ms, 1,234 ms.</summary>
    private static string Ms(JsonNode? us)
    {
        if (us is not JsonValue v)
        {
            return "–";
        }

        var ms = v.GetValue<double>() / 1000.0;
        var format = ms switch
        {
            < 1 => "0.000",
            < 10 => "0.00",
            < 100 => "0.0",
            _ => "#,0",
        };
        return ms.ToString(format, CultureInfo.InvariantCulture) + " ms";
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
