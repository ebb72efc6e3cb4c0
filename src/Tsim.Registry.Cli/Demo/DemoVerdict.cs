using System.Globalization;

namespace Tsim.Registry.Cli.Demo;

/// <summary>
/// The demo's verdict on mutual exclusion, checked twice: the workers' marker-file collisions and the intersecting
/// hold intervals (<see cref="DemoTally.IntervalOverlaps"/>); then failed workers, what the jobs left behind, and
/// whether any job held a router at all (else nothing was checked).
/// </summary>
/// <param name="MarkerOverlaps">Marker-file collisions the workers reported.</param>
/// <param name="IntervalOverlaps">Holds of one router whose intervals intersect.</param>
/// <param name="Holds">Router holds, counted per router.</param>
/// <param name="Text">The last line of the summary: <c>OK: …</c> or <c>FAILED: …</c>.</param>
/// <param name="ExitCode">0 OK; 1 overlaps, leftovers or no hold; 2 a worker failed.</param>
internal sealed record DemoVerdict(int MarkerOverlaps, int IntervalOverlaps, int Holds, string Text, int ExitCode)
{
    /// <summary>Gets the overlaps found: the larger count of the two checks.</summary>
    internal int Overlaps => Math.Max(MarkerOverlaps, IntervalOverlaps);

    /// <summary>Judges a finished run.</summary>
    /// <param name="tally">What the workers reported, their exit codes recorded.</param>
    /// <param name="leftovers">Hosts, leases and locks the jobs left in the registry.</param>
    internal static DemoVerdict Judge(DemoTally tally, int leftovers)
    {
        var markerOverlaps = tally.Read(t => t.Workers.Sum(w => w.Overlaps));
        var intervalOverlaps = tally.IntervalOverlaps();
        var overlaps = Math.Max(markerOverlaps, intervalOverlaps);
        var failedWorkers = tally.Workers.Where(w => w.ExitCode != 0).ToList();
        var holds = tally.Read(t => t.Routers.Sum(r => r.Holds));

        string text;
        int exitCode;
        if (overlaps > 0)
        {
            text = string.Create(CultureInfo.InvariantCulture, $"FAILED: {overlaps} overlaps");
            exitCode = ExitCodes.NegativeOutcome;
        }
        else if (failedWorkers.Count > 0)
        {
            text = string.Create(CultureInfo.InvariantCulture, $"FAILED: {failedWorkers.Count} worker(s) failed: ")
                + string.Join("; ", failedWorkers.Select(w => string.Create(CultureInfo.InvariantCulture, $"worker {w.Index} exit {w.ExitCode}: {FirstLine(w.Stderr)}")));
            exitCode = ExitCodes.Error;
        }
        else if (leftovers > 0)
        {
            text = string.Create(CultureInfo.InvariantCulture, $"FAILED: the jobs left {leftovers} host(s), lease(s) or lock(s) behind");
            exitCode = ExitCodes.NegativeOutcome;
        }
        else if (holds == 0)
        {
            text = "FAILED: no job held a router, so nothing was checked";
            exitCode = ExitCodes.NegativeOutcome;
        }
        else
        {
            text = "OK: no two jobs ever held one router at once";
            exitCode = ExitCodes.Success;
        }

        return new DemoVerdict(markerOverlaps, intervalOverlaps, holds, text, exitCode);
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";
}
