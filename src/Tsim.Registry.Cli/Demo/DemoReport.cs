using System.Globalization;
using Spectre.Console;
using Tsim.Registry.Cli.Commands;
using Tsim.Registry.Cli.Rendering;

namespace Tsim.Registry.Cli.Demo;

/// <summary>The demo's summary after the run: tables, totals and the verdict for people, or one JSON object (<c>--json</c>).</summary>
internal sealed class DemoReport(CliContext context, DemoSettings settings, RegistryManagerOptions options, DemoTally tally, DemoView view)
{
    /// <summary>Judges the run and writes the summary.</summary>
    /// <param name="elapsed">The demo's wall time.</param>
    /// <param name="leftovers">Hosts, leases and locks the jobs left in the registry.</param>
    /// <param name="cleanup">What was removed, or kept with <c>--keep</c>.</param>
    /// <returns>The exit status (<see cref="DemoVerdict.ExitCode"/>).</returns>
    internal int Write(TimeSpan elapsed, int leftovers, string cleanup)
    {
        var verdict = DemoVerdict.Judge(tally, leftovers);
        if (settings.Json)
        {
            context.WriteLine(Json(elapsed, leftovers, cleanup, verdict));
            return verdict.ExitCode;
        }

        var output = context.Operator;
        var title = string.Create(
            CultureInfo.InvariantCulture,
            $"demo: {settings.Workers} workers, {tally.Routers.Count} routers, {settings.Seconds:0.##} s of play, {elapsed.TotalSeconds:0.0} s in all");
        if (output.IsTerminal)
        {
            output.Write(new Rule($"[bold]{Markup.Escape(title)}[/]") { Justification = Justify.Left });
        }
        else
        {
            output.WriteLine($"== {title} ==");
        }

        output.Write(view.WorkersTable());
        output.Write(view.RoutersTable());
        var totals = tally.Read(t =>
        {
            var sum = DemoTally.WorkerTally.Sum(t.Workers);
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{sum.Jobs} jobs ({sum.Quick} quick, {sum.Detailed} detailed): "
                + $"{verdict.Holds} router holds, {sum.Waits} waits, {sum.Timeouts} timeouts, "
                + $"{sum.Leases} leases, {sum.HostsRegistered} hosts registered and {sum.HostsTornDown} torn down");
        });
        output.WriteLine(totals);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"mutual exclusion checked twice: {verdict.MarkerOverlaps} marker-file collisions, {verdict.IntervalOverlaps} intersecting hold intervals"));
        foreach (var report in tally.OverlapReports)
        {
            output.WriteLine(report, new Style(Color.Red));
        }

        output.WriteLine(leftovers == 0 ? "registry after the run: clean (no job host, lease or lock left)" : $"registry after the run: {leftovers} host(s), lease(s) or lock(s) left");
        output.WriteLine(cleanup, new Style(Color.Grey));
        output.WriteLine(verdict.Text, new Style(verdict.ExitCode == ExitCodes.Success ? Color.Green : Color.Red, decoration: Decoration.Bold));
        return verdict.ExitCode;
    }

    private string Json(TimeSpan elapsed, int leftovers, string cleanup, DemoVerdict verdict) =>
        tally.Read(t => PythonJson.Indented(new SortedJsonObject()
            .Add("ok", verdict.ExitCode == ExitCodes.Success)
            .Add("verdict", verdict.Text)
            .Add("overlaps", verdict.Overlaps)
            .Add("marker_overlaps", verdict.MarkerOverlaps)
            .Add("interval_overlaps", verdict.IntervalOverlaps)
            .Add("overlap_reports", t.OverlapReports)
            .Add("leftovers_after_run", leftovers)
            .Add("registry_dir", options.RegistryDirectory)
            .Add("prefix", options.SemaphorePrefix)
            .Add("kept", settings.Keep)
            .Add("cleanup", cleanup)
            .AddFloat("seconds", settings.Seconds)
            .AddFloat("elapsed_seconds", Math.Round(elapsed.TotalSeconds, 3))
            .Add("totals", JobCounts(DemoTally.WorkerTally.Sum(t.Workers))
                .Add("holds", t.Routers.Sum(r => r.Holds)))
            .Add("workers", t.Workers.Select(w => JobCounts(w)
                .Add("worker", w.Index)
                .Add("pid", w.Pid)
                .Add("holds", w.Holds)
                .Add("overlaps", w.Overlaps)
                .Add("exit_code", w.ExitCode)))
            .Add("routers", t.Routers.Select(r => new SortedJsonObject()
                .Add("router", r.Name)
                .Add("holds", r.Holds)
                .AddFloat("held_ms", Math.Round(r.HeldMilliseconds, 1))
                .Add("waits", r.Waits)
                .AddFloat("max_wait_ms", Math.Round(r.MaxWaitMilliseconds, 1))
                .Add("overlaps", r.Overlaps)))
            .WriteTo));

    /// <summary>
    /// The counts of one worker, or of all (<see cref="DemoTally.WorkerTally.Sum"/>), that the totals and each worker
    /// report alike; holds differ (the totals count them per router).
    /// </summary>
    private static SortedJsonObject JobCounts(DemoTally.WorkerTally w) => new SortedJsonObject()
        .Add("jobs", w.Jobs)
        .Add("quick_jobs", w.Quick)
        .Add("detailed_jobs", w.Detailed)
        .Add("waits", w.Waits)
        .Add("timeouts", w.Timeouts)
        .Add("leases", w.Leases)
        .Add("hosts_registered", w.HostsRegistered)
        .Add("hosts_torn_down", w.HostsTornDown);
}
