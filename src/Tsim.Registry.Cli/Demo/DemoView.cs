using System.Globalization;
using Spectre.Console;
using Tsim.Registry.Cli.Rendering;

namespace Tsim.Registry.Cli.Demo;

/// <summary>
/// What the demo shows of its tally: the live view on a terminal, the plain progress line when redirected, and the
/// workers and routers tables (live and in the summary).
/// </summary>
internal sealed class DemoView(OperatorOutput output, DemoSettings settings, RegistryManagerOptions options, DemoTally tally)
{
    internal string ProgressLine(TimeSpan elapsed) => tally.Read(t =>
    {
        var sum = DemoTally.WorkerTally.Sum(t.Workers);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"demo {elapsed.TotalSeconds,5:0.0}s: {sum.Jobs} jobs ({sum.Quick} quick, {sum.Detailed} detailed), {sum.Holds} holds, "
            + $"{sum.Waits} waits, {sum.Leases} leases, {sum.Overlaps} overlaps, "
            + $"{t.Workers.Count(w => !w.Done)} of {t.Workers.Count} workers playing");
    });

    internal Rows LiveView(TimeSpan elapsed)
    {
        var workers = WorkersTable();
        var routers = RoutersTable();
        var header = new Markup(string.Create(
            CultureInfo.InvariantCulture,
            $"[bold]tsim-registry demo[/]: {settings.Workers} workers, {tally.Routers.Count} routers, {elapsed.TotalSeconds:0.0} s of {settings.Seconds:0.#} s  "
            + $"[grey]({Markup.Escape(options.RegistryDirectory)}, prefix {Markup.Escape(options.SemaphorePrefix)})[/]"));
        return new Rows(header, workers, routers);
    }

    internal Table WorkersTable() => tally.Read(t =>
    {
        var table = output.NewTable("WORKER", "PID", "JOBS", "QUICK", "DETAILED", "HOLDS", "WAITS", "TIMEOUTS", "LEASES", "HOSTS+", "HOSTS-", "OVERLAPS", "STATE");
        foreach (var w in t.Workers)
        {
            var state = w.ExitCode is { } code ? (code == 0 ? "done" : $"exit {code}") : w.Done ? "finishing" : "playing";
            table.AddRow(
                new Text(w.Index.ToString(CultureInfo.InvariantCulture)),
                new Text(OperatorFormat.Number(w.Pid)),
                Count(w.Jobs),
                Count(w.Quick),
                Count(w.Detailed),
                Count(w.Holds),
                Count(w.Waits),
                Count(w.Timeouts, Color.Yellow),
                Count(w.Leases),
                Count(w.HostsRegistered),
                Count(w.HostsTornDown),
                Count(w.Overlaps, Color.Red),
                new Text(state, w.ExitCode is > 0 ? new Style(Color.Red) : Style.Plain));
        }

        return table;
    });

    internal Table RoutersTable() => tally.Read(t =>
    {
        var table = output.NewTable("ROUTER", "HOLDS", "HELD_MS", "WAITS", "MEAN_WAIT_MS", "MAX_WAIT_MS", "OVERLAPS");
        foreach (var r in t.Routers)
        {
            table.AddRow(
                new Text(r.Name),
                Count(r.Holds),
                new Text(r.HeldMilliseconds.ToString("0", CultureInfo.InvariantCulture)),
                Count(r.Waits),
                new Text(r.Waits == 0 ? "-" : (r.TotalWaitMilliseconds / r.Waits).ToString("0.0", CultureInfo.InvariantCulture)),
                new Text(r.MaxWaitMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)),
                Count(r.Overlaps, Color.Red));
        }

        return table;
    });

    /// <summary>A count, coloured (on a terminal) when it is not zero and colour matters: overlaps, timeouts.</summary>
    private static Text Count(int value, Color? alarm = null) =>
        new(value.ToString(CultureInfo.InvariantCulture), alarm is { } color && value > 0 ? new Style(color, decoration: Decoration.Bold) : Style.Plain);
}
