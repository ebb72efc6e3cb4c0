using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Spectre.Console;
using Tsim.Registry.Cli.Commands;
using Tsim.Registry.Cli.Rendering;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Cli.Demo;

/// <summary>
/// <c>demo</c>: a private registry, several <c>demo-worker</c> processes playing jobs on it for a few seconds, a live
/// view, then what happened and whether any two jobs ever held one router at once.
/// </summary>
internal sealed class DemoRun
{
    /// <summary>How often the live view and the plain progress lines are refreshed.</summary>
    private static readonly TimeSpan s_terminalRefresh = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan s_plainProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Beyond the play time: cold starts of the workers on a loaded two-core machine, and the end of the last jobs.
    /// A worker still running then is killed and the demo fails.
    /// </summary>
    private static readonly TimeSpan s_grace = TimeSpan.FromSeconds(60);

    private readonly CliContext _context;
    private readonly DemoSettings _settings;
    private readonly RegistryManagerOptions _options;
    private readonly IReadOnlyList<string> _routers;
    private readonly DemoTally _tally;
    private readonly List<Process> _processes = [];
    private readonly List<(string Path, bool Existed)> _directories = [];

    private DemoRun(CliContext context, DemoSettings settings, RegistryManagerOptions options)
    {
        _context = context;
        _settings = settings;
        _options = options;
        _routers = [.. Enumerable.Range(1, settings.Routers).Select(i => string.Create(CultureInfo.InvariantCulture, $"router-{i}"))];
        _tally = new DemoTally(settings.Workers, _routers);
    }

    private string LockDirectory => _options.LockDirectory ?? Path.Combine(_options.RegistryDirectory, "locks");

    private string MarkerDirectory => Path.Combine(_options.RegistryDirectory, "demo-markers");

    private IEnumerable<string> SemaphoreNames =>
        [
            $"{_options.SemaphorePrefix}-hosts-registry",
            $"{_options.SemaphorePrefix}-host-leases",
            $"{_options.SemaphorePrefix}-neighbor-leases",
            .. _routers.Select(r => $"{_options.SemaphorePrefix}-router-{r}"),
        ];

    internal static int Execute(CliContext context, ParseResult parseResult, DemoSettings settings)
    {
        // A registry of its own unless told otherwise: a random directory under the temp directory and a random prefix,
        // so that the demo never meets a real registry's hosts or semaphores.
        var options = context.Managers.BuildOptions(parseResult);
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        if (parseResult.GetValue(context.Globals.RegistryDirectory) is null)
        {
            options.RegistryDirectory = Path.Combine(Path.GetTempPath(), $"tsim-demo-{id}");
            options.LockDirectory = parseResult.GetValue(context.Globals.LockDirectory) is { } lockDirectory ? Path.GetFullPath(lockDirectory) : null;
        }

        if (parseResult.GetValue(context.Globals.Prefix) is null)
        {
            options.SemaphorePrefix = "demo" + id;
        }

        return new DemoRun(context, settings, options).Execute(parseResult);
    }

    private int Execute(ParseResult parseResult)
    {
        ThrowIfNotFresh();
        var started = Stopwatch.GetTimestamp();
        try
        {
            int leftovers;
            using (var manager = _context.Managers.Create(parseResult, _options))
            {
                Directory.CreateDirectory(MarkerDirectory);
                for (var i = 0; i < _routers.Count; i++)
                {
                    manager.CheckAndRegisterHost(DemoWorker.StandingHost(_routers[i]), DemoWorker.StandingIp(i), _routers[i], DemoWorker.StandingMac(i));
                }

                StartWorkers(parseResult);
                WaitForWorkers(started);
                leftovers = LeftoversAfterRun(manager);
                foreach (var router in _routers)
                {
                    manager.UnregisterHost(DemoWorker.StandingHost(router));
                }
            }

            var cleanup = _settings.Keep ? $"kept {_options.RegistryDirectory} and prefix {_options.SemaphorePrefix} (--keep)" : CleanUp();
            return Report(Stopwatch.GetElapsedTime(started), leftovers, cleanup);
        }
        finally
        {
            foreach (var process in _processes)
            {
                KillIfRunning(process);
                process.Dispose();
            }

            if (!_settings.Keep)
            {
                // Idempotent: after a failure this is the only cleanup; after success it finds nothing left.
                CleanUp();
            }
        }
    }

    /// <summary>Refuses a registry or prefix already in use: the demo writes, and removes what it used at the end.</summary>
    private void ThrowIfNotFresh()
    {
        foreach (var directory in new[] { _options.RegistryDirectory, LockDirectory }.Distinct(StringComparer.Ordinal))
        {
            var existed = Directory.Exists(directory);
            if (existed && Directory.EnumerateFileSystemEntries(directory).Any())
            {
                throw new InvalidOperationException(
                    $"demo plays on a registry of its own and removes it afterwards, but {directory} is not empty. "
                    + "Leave out --registry-dir and --lock-dir, or name a new or empty directory.");
            }

            if (!directory.StartsWith(_options.RegistryDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                _directories.Add((directory, existed));
            }
        }

        foreach (var name in SemaphoreNames)
        {
            using var existing = NamedSemaphore.TryOpenExisting("/" + name);
            if (existing is not null)
            {
                throw new InvalidOperationException(
                    $"demo plays with semaphores of its own and unlinks them afterwards, but /{name} exists (another registry's?). "
                    + "Leave out --prefix, or name an unused one.");
            }
        }
    }

    private void StartWorkers(ParseResult parseResult)
    {
        for (var worker = 1; worker <= _settings.Workers; worker++)
        {
            List<string> arguments =
            [
                "demo-worker",
                "--registry-dir", _options.RegistryDirectory,
                "--lock-dir", LockDirectory,
                "--prefix", _options.SemaphorePrefix,
                "--worker", worker.ToString(CultureInfo.InvariantCulture),
                "--seconds", _settings.Seconds.ToString(CultureInfo.InvariantCulture),
                "--routers", string.Join(',', _routers),
                "--markers", MarkerDirectory,
            ];
            if (parseResult.GetValue(_context.Globals.ConfigFile) is { } config)
            {
                arguments.AddRange(["--config", Path.GetFullPath(config)]);
            }

            if (parseResult.GetValue(_context.Globals.Verbose))
            {
                arguments.Add("--verbose");
            }

            var process = new Process { StartInfo = SelfLauncher.StartInfo(arguments) };
            var index = worker;
            var stderr = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    _tally.Apply(index, line);
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    lock (stderr)
                    {
                        stderr.AppendLine(line);
                        _tally.Workers[index - 1].Stderr = stderr.ToString();
                    }
                }
            };
            process.Start();
            _processes.Add(process);
            _tally.Workers[index - 1].Pid = process.Id;
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
    }

    private void WaitForWorkers(long started)
    {
        // WaitForExitAsync also waits for the redirected output to be read to its end, so every line is tallied.
        var all = Task.WhenAll(_processes.Select(p => p.WaitForExitAsync()));
        var deadline = TimeSpan.FromSeconds(_settings.Seconds) + s_grace;

        void Wait(TimeSpan interval, Action tick)
        {
            while (!all.Wait(interval))
            {
                tick();
                if (Stopwatch.GetElapsedTime(started) > deadline)
                {
                    throw new TimeoutException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"demo workers still running {deadline.TotalSeconds:0} s after the start; they were killed."));
                }
            }
        }

        if (_settings.Json)
        {
            // stdout carries the JSON summary only.
            Wait(s_plainProgressInterval, () => { });
        }
        else if (_context.Operator.IsTerminal)
        {
            _context.Operator.Terminal.Live(LiveView(started)).AutoClear(true).Start(live =>
            {
                Wait(s_terminalRefresh, () => live.UpdateTarget(LiveView(started)));
                live.UpdateTarget(LiveView(started));
            });
        }
        else
        {
            Wait(s_plainProgressInterval, () => _context.WriteLine(ProgressLine(started)));
        }

        foreach (var (process, worker) in _processes.Zip(_tally.Workers))
        {
            worker.ExitCode = process.ExitCode;
        }
    }

    /// <summary>Hosts, leases and locks the workers left behind: none when every job cleaned up after itself.</summary>
    private static int CountLeftovers(RegistryManager manager, HashSet<string> standingHosts) =>
        manager.ListAllHosts().Keys.Count(h => !standingHosts.Contains(h))
        + manager.ListHostLeases().Values.Sum(l => l.Leases.Count)
        + manager.ListHeldLocks().Count;

    private int LeftoversAfterRun(RegistryManager manager) =>
        CountLeftovers(manager, _routers.Select(DemoWorker.StandingHost).ToHashSet(StringComparer.Ordinal));

    private string ProgressLine(long started) => _tally.Read(t => string.Create(
        CultureInfo.InvariantCulture,
        $"demo {Stopwatch.GetElapsedTime(started).TotalSeconds,5:0.0}s: {t.Workers.Sum(w => w.Jobs)} jobs "
        + $"({t.Workers.Sum(w => w.Quick)} quick, {t.Workers.Sum(w => w.Detailed)} detailed), {t.Workers.Sum(w => w.Holds)} holds, "
        + $"{t.Workers.Sum(w => w.Waits)} waits, {t.Workers.Sum(w => w.Leases)} leases, {t.Workers.Sum(w => w.Overlaps)} overlaps, "
        + $"{t.Workers.Count(w => !w.Done)} of {t.Workers.Count} workers playing"));

    private Rows LiveView(long started)
    {
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var workers = WorkersTable();
        var routers = RoutersTable();
        var header = new Markup(string.Create(
            CultureInfo.InvariantCulture,
            $"[bold]tsim-registry demo[/]: {_settings.Workers} workers, {_routers.Count} routers, {elapsed:0.0} s of {_settings.Seconds:0.#} s  "
            + $"[grey]({Markup.Escape(_options.RegistryDirectory)}, prefix {Markup.Escape(_options.SemaphorePrefix)})[/]"));
        return new Rows(header, workers, routers);
    }

    private Table WorkersTable() => _tally.Read(t =>
    {
        var table = _context.Operator.NewTable("WORKER", "PID", "JOBS", "QUICK", "DETAILED", "HOLDS", "WAITS", "TIMEOUTS", "LEASES", "HOSTS+", "HOSTS-", "OVERLAPS", "STATE");
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

    private Table RoutersTable() => _tally.Read(t =>
    {
        var table = _context.Operator.NewTable("ROUTER", "HOLDS", "HELD_MS", "WAITS", "MEAN_WAIT_MS", "MAX_WAIT_MS", "OVERLAPS");
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

    private int Report(TimeSpan elapsed, int leftovers, string cleanup)
    {
        var markerOverlaps = _tally.Read(t => t.Workers.Sum(w => w.Overlaps));
        var intervalOverlaps = _tally.IntervalOverlaps();
        var overlaps = Math.Max(markerOverlaps, intervalOverlaps);
        var failedWorkers = _tally.Workers.Where(w => w.ExitCode != 0).ToList();
        var holds = _tally.Read(t => t.Routers.Sum(r => r.Holds));

        string verdict;
        int exitCode;
        if (overlaps > 0)
        {
            verdict = string.Create(CultureInfo.InvariantCulture, $"FAILED: {overlaps} overlaps");
            exitCode = ExitCodes.NegativeOutcome;
        }
        else if (failedWorkers.Count > 0)
        {
            verdict = string.Create(CultureInfo.InvariantCulture, $"FAILED: {failedWorkers.Count} worker(s) failed: ")
                + string.Join("; ", failedWorkers.Select(w => string.Create(CultureInfo.InvariantCulture, $"worker {w.Index} exit {w.ExitCode}: {FirstLine(w.Stderr)}")));
            exitCode = ExitCodes.Error;
        }
        else if (leftovers > 0)
        {
            verdict = string.Create(CultureInfo.InvariantCulture, $"FAILED: the jobs left {leftovers} host(s), lease(s) or lock(s) behind");
            exitCode = ExitCodes.NegativeOutcome;
        }
        else if (holds == 0)
        {
            verdict = "FAILED: no job held a router, so nothing was checked";
            exitCode = ExitCodes.NegativeOutcome;
        }
        else
        {
            verdict = "OK: no two jobs ever held one router at once";
            exitCode = ExitCodes.Success;
        }

        if (_settings.Json)
        {
            _context.WriteLine(Json(elapsed, markerOverlaps, intervalOverlaps, overlaps, leftovers, cleanup, verdict, exitCode));
            return exitCode;
        }

        var output = _context.Operator;
        var title = string.Create(
            CultureInfo.InvariantCulture,
            $"demo: {_settings.Workers} workers, {_routers.Count} routers, {_settings.Seconds:0.##} s of play, {elapsed.TotalSeconds:0.0} s in all");
        if (output.IsTerminal)
        {
            output.Write(new Rule($"[bold]{Markup.Escape(title)}[/]") { Justification = Justify.Left });
        }
        else
        {
            output.WriteLine($"== {title} ==");
        }

        output.Write(WorkersTable());
        output.Write(RoutersTable());
        var totals = _tally.Read(t => string.Create(
            CultureInfo.InvariantCulture,
            $"{t.Workers.Sum(w => w.Jobs)} jobs ({t.Workers.Sum(w => w.Quick)} quick, {t.Workers.Sum(w => w.Detailed)} detailed): "
            + $"{holds} router holds, {t.Workers.Sum(w => w.Waits)} waits, {t.Workers.Sum(w => w.Timeouts)} timeouts, "
            + $"{t.Workers.Sum(w => w.Leases)} leases, {t.Workers.Sum(w => w.HostsRegistered)} hosts registered and "
            + $"{t.Workers.Sum(w => w.HostsTornDown)} torn down"));
        output.WriteLine(totals);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"mutual exclusion checked twice: {markerOverlaps} marker-file collisions, {intervalOverlaps} intersecting hold intervals"));
        foreach (var report in _tally.OverlapReports)
        {
            output.WriteLine(report, new Style(Color.Red));
        }

        output.WriteLine(leftovers == 0 ? "registry after the run: clean (no job host, lease or lock left)" : $"registry after the run: {leftovers} host(s), lease(s) or lock(s) left");
        output.WriteLine(cleanup, new Style(Color.Grey));
        output.WriteLine(verdict, new Style(exitCode == ExitCodes.Success ? Color.Green : Color.Red, decoration: Decoration.Bold));
        return exitCode;
    }

    private string Json(TimeSpan elapsed, int markerOverlaps, int intervalOverlaps, int overlaps, int leftovers, string cleanup, string verdict, int exitCode) =>
        _tally.Read(t => PythonJson.Indented(new SortedJsonObject()
            .Add("ok", exitCode == ExitCodes.Success)
            .Add("verdict", verdict)
            .Add("overlaps", overlaps)
            .Add("marker_overlaps", markerOverlaps)
            .Add("interval_overlaps", intervalOverlaps)
            .Add("overlap_reports", t.OverlapReports)
            .Add("leftovers_after_run", leftovers)
            .Add("registry_dir", _options.RegistryDirectory)
            .Add("prefix", _options.SemaphorePrefix)
            .Add("kept", _settings.Keep)
            .Add("cleanup", cleanup)
            .AddFloat("seconds", _settings.Seconds)
            .AddFloat("elapsed_seconds", Math.Round(elapsed.TotalSeconds, 3))
            .Add("totals", new SortedJsonObject()
                .Add("jobs", t.Workers.Sum(w => w.Jobs))
                .Add("quick_jobs", t.Workers.Sum(w => w.Quick))
                .Add("detailed_jobs", t.Workers.Sum(w => w.Detailed))
                .Add("holds", t.Routers.Sum(r => r.Holds))
                .Add("waits", t.Workers.Sum(w => w.Waits))
                .Add("timeouts", t.Workers.Sum(w => w.Timeouts))
                .Add("leases", t.Workers.Sum(w => w.Leases))
                .Add("hosts_registered", t.Workers.Sum(w => w.HostsRegistered))
                .Add("hosts_torn_down", t.Workers.Sum(w => w.HostsTornDown)))
            .Add("workers", t.Workers.Select(w => new SortedJsonObject()
                .Add("worker", w.Index)
                .Add("pid", w.Pid)
                .Add("jobs", w.Jobs)
                .Add("quick_jobs", w.Quick)
                .Add("detailed_jobs", w.Detailed)
                .Add("holds", w.Holds)
                .Add("waits", w.Waits)
                .Add("timeouts", w.Timeouts)
                .Add("leases", w.Leases)
                .Add("hosts_registered", w.HostsRegistered)
                .Add("hosts_torn_down", w.HostsTornDown)
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

    /// <summary>Unlinks the demo's semaphores and removes what it created on disk; safe to call twice.</summary>
    private string CleanUp()
    {
        var unlinked = SemaphoreNames.Count(name => NamedSemaphore.Unlink("/" + name));
        foreach (var (path, existed) in _directories)
        {
            if (!Directory.Exists(path))
            {
                continue;
            }

            if (existed)
            {
                // It was empty before the demo: empty it again, but leave it where the operator made it.
                foreach (var entry in Directory.EnumerateFileSystemEntries(path))
                {
                    if (Directory.Exists(entry))
                    {
                        Directory.Delete(entry, recursive: true);
                    }
                    else
                    {
                        File.Delete(entry);
                    }
                }
            }
            else
            {
                Directory.Delete(path, recursive: true);
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"removed {_options.RegistryDirectory} and {unlinked} semaphores of prefix {_options.SemaphorePrefix}");
    }

    private static void KillIfRunning(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or exited between the check and the kill.
        }
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";
}
