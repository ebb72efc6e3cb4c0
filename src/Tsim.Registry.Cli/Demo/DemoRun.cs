using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Spectre.Console;
using Tsim.Registry.Cli.Commands;
using Tsim.Registry.Cli.Rendering;

namespace Tsim.Registry.Cli.Demo;

/// <summary>
/// <c>demo</c>: a private registry (<see cref="DemoScratchRegistry"/>), several <c>demo-worker</c> processes playing
/// jobs on it for a few seconds (<see cref="DemoWorkerProcesses"/>), a live view (<see cref="DemoView"/>), then what
/// happened and whether any two jobs ever held one router at once (<see cref="DemoReport"/>, <see cref="DemoVerdict"/>).
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
    private readonly DemoScratchRegistry _scratch;
    private readonly DemoView _view;

    private DemoRun(CliContext context, DemoSettings settings, RegistryManagerOptions options)
    {
        _context = context;
        _settings = settings;
        _options = options;
        _routers = [.. Enumerable.Range(1, settings.Routers).Select(i => string.Create(CultureInfo.InvariantCulture, $"router-{i}"))];
        _tally = new DemoTally(settings.Workers, _routers);
        _scratch = new DemoScratchRegistry(options, _routers);
        _view = new DemoView(context.Operator, settings, options, _tally);
    }

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

            // The configured file names, in the scratch directory: a configuration may spell them as paths in its own.
            options.RegistryFiles.Hosts = Path.GetFileName(options.RegistryFiles.Hosts);
            options.RegistryFiles.HostLeases = Path.GetFileName(options.RegistryFiles.HostLeases);
            options.RegistryFiles.NeighborLeases = Path.GetFileName(options.RegistryFiles.NeighborLeases);
        }

        if (parseResult.GetValue(context.Globals.Prefix) is null)
        {
            options.SemaphorePrefix = "demo" + id;
        }

        return new DemoRun(context, settings, options).Execute(parseResult);
    }

    private int Execute(ParseResult parseResult)
    {
        _scratch.ThrowIfNotFresh();
        var started = Stopwatch.GetTimestamp();
        var workers = new DemoWorkerProcesses(_tally);
        try
        {
            int leftovers;
            using (var manager = _context.Managers.Create(parseResult, _options))
            {
                Directory.CreateDirectory(_scratch.MarkerDirectory);
                for (var i = 0; i < _routers.Count; i++)
                {
                    manager.CheckAndRegisterHost(DemoWorker.StandingHost(_routers[i]), DemoWorker.StandingIp(i), _routers[i], DemoWorker.StandingMac(i));
                }

                StartWorkers(workers, parseResult);
                WaitForWorkers(workers, started);
                leftovers = LeftoversAfterRun(manager);
                foreach (var router in _routers)
                {
                    manager.UnregisterHost(DemoWorker.StandingHost(router));
                }
            }

            var cleanup = _settings.Keep ? $"kept {_options.RegistryDirectory} and prefix {_options.SemaphorePrefix} (--keep)" : _scratch.CleanUp();
            return new DemoReport(_context, _settings, _options, _tally, _view).Write(Stopwatch.GetElapsedTime(started), leftovers, cleanup);
        }
        finally
        {
            workers.Dispose();
            if (!_settings.Keep)
            {
                // Idempotent: after a failure this is the only cleanup; after success it finds nothing left.
                _scratch.CleanUp();
            }
        }
    }

    private void StartWorkers(DemoWorkerProcesses workers, ParseResult parseResult)
    {
        for (var worker = 1; worker <= _settings.Workers; worker++)
        {
            List<string> arguments =
            [
                "demo-worker",
                "--registry-dir", _options.RegistryDirectory,
                "--lock-dir", _scratch.LockDirectory,
                "--prefix", _options.SemaphorePrefix,
                "--worker", worker.ToString(CultureInfo.InvariantCulture),
                "--seconds", _settings.Seconds.ToString(CultureInfo.InvariantCulture),
                "--routers", string.Join(',', _routers),
                "--markers", _scratch.MarkerDirectory,

                // What the parent resolved, so that no worker reads another file or applies another rule than it.
                "--hosts-file", _options.RegistryFiles.Hosts,
                "--host-leases-file", _options.RegistryFiles.HostLeases,
                "--neighbor-leases-file", _options.RegistryFiles.NeighborLeases,
                "--ip-scope", OperatorFormat.IpScope(_options.IpCollisionScope),
            ];
            if (_options.Group is { } group)
            {
                arguments.AddRange(["--group", group]);
            }

            if (parseResult.GetValue(_context.Globals.ConfigFile) is { } config)
            {
                arguments.AddRange(["--config", Path.GetFullPath(config)]);
            }

            if (parseResult.GetValue(_context.Globals.Verbose))
            {
                arguments.Add("--verbose");
            }

            workers.Start(worker, arguments);
        }
    }

    private void WaitForWorkers(DemoWorkerProcesses workers, long started)
    {
        var deadline = TimeSpan.FromSeconds(_settings.Seconds) + s_grace;
        if (_settings.Json)
        {
            // stdout carries the JSON summary only.
            workers.WaitForExit(started, deadline, s_plainProgressInterval, () => { });
        }
        else if (_context.Operator.IsTerminal)
        {
            _context.Operator.Terminal.Live(_view.LiveView(Stopwatch.GetElapsedTime(started))).AutoClear(true).Start(live =>
            {
                workers.WaitForExit(started, deadline, s_terminalRefresh, () => live.UpdateTarget(_view.LiveView(Stopwatch.GetElapsedTime(started))));
                live.UpdateTarget(_view.LiveView(Stopwatch.GetElapsedTime(started)));
            });
        }
        else
        {
            workers.WaitForExit(started, deadline, s_plainProgressInterval, () => _context.WriteLine(_view.ProgressLine(Stopwatch.GetElapsedTime(started))));
        }
    }

    /// <summary>Hosts, leases and locks the workers left behind: none when every job cleaned up after itself.</summary>
    private int LeftoversAfterRun(RegistryManager manager)
    {
        var standingHosts = _routers.Select(DemoWorker.StandingHost).ToHashSet(StringComparer.Ordinal);
        return manager.ListAllHosts().Keys.Count(h => !standingHosts.Contains(h))
            + manager.ListHostLeases().Values.Sum(l => l.Leases.Count)
            + manager.ListHeldLocks().Count;
    }
}
