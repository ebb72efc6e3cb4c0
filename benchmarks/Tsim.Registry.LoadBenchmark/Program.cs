using System.CommandLine;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>
/// The load benchmark program: bench_py.py's workloads W1-W7 against this library, then the Python reference, one
/// table with the speed-ups; or with <c>--scaling</c> the scaling table alone. <c>worker</c> (hidden): one of
/// W1-W7's worker processes, this program started again. Exit status: 0 ran, 1 a scaling check failed, 2 an error.
/// </summary>
internal static class Program
{
    private const string Name = "Tsim.Registry.LoadBenchmark";
    private const string WorkerVerb = "worker";
    private const int Error = 2;

    private static int Main(string[] args)
    {
        var root = CreateRoot();

        // Response files (@file) are off: the worker's arguments are paths and names, never indirections.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
            {
                Console.Error.WriteLine($"ERROR UsageError: {parseError.Message}");
            }

            Console.Error.WriteLine($"Run '{Name} --help' for usage.");
            return Error;
        }

        return parseResult.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    private static RootCommand CreateRoot()
    {
        var quick = new Option<bool>("--quick") { Description = "Divide the iteration counts by 10 (a smoke test), on both sides." };
        var json = new Option<string?>("--json")
        {
            Description = "Write the combined result here (default: tsim-registry-bench.json, with --scaling "
                + "tsim-registry-bench-scaling.json, in the temp directory).",
            HelpName = "FILE",
        };
        var scaling = new Option<bool>("--scaling")
        {
            Description = "Run the scaling table INSTEAD of W1-W7: per-operation cost of a registration, a refused registration, "
                + "a lease acquire+release and an unregistration at 100, 1,000, 10,000 and 50,000 registered hosts, this library "
                + "and the Python reference (python3 bench_scale.py) size by size, with the speed-up; the JSON holds it under "
                + "\"scaling\". Under a minute on 2 vCPUs; with --quick fewer operations and no 50,000-host size. Exit 1 if a check fails.",
        };
        var cli = new Option<string>("--cli")
        {
            Description = "The tsim-registry executable whose one-shot calls (is-locked, register, lease-acquire) are timed against "
                + "'python3 interop_client.py' (default: the Release build of src/Tsim.Registry.Cli, found from this program's path).",
            HelpName = "PATH",
            DefaultValueFactory = _ => CliOneShot.DefaultCliPath,
        };
        var only = new Option<string?>("--only")
        {
            Description = "Run only these workloads, a comma list (e.g. W2cold,CLI; W5b needs W1); Python runs the ones they are compared with.",
            HelpName = "LIST",
        };
        var root = new RootCommand(
            "Run the reference workloads W1-W7 against this library (worker processes of this program, a private semaphore "
            + "prefix and directory under /dev/shm), then 'python3 bench_py.py' (skipped if /dev/shm/sem.tsim-* are in use), "
            + "and print one table of both with the speed-up per workload. Takes about a minute; use a Release build. "
            + "With --scaling it runs only the scaling table instead (run it twice for both). "
            + "Exit status: 0 ran, 1 a scaling check failed, 2 an error ('ERROR <Type>: message' on stderr).")
        {
            quick, json, scaling, cli, only,
        };
        root.SetAction(parseResult => Run(() =>
        {
            var invoked = Name + (parseResult.GetValue(quick) ? " --quick" : string.Empty);
            return parseResult.GetValue(scaling)
                ? LoadBenchmarkRunner.RunScaling(parseResult.GetValue(quick), parseResult.GetValue(json), invoked + " --scaling", Console.Out)
                : LoadBenchmarkRunner.Run(parseResult.GetValue(quick), parseResult.GetValue(json), WorkerVerb, invoked,
                    Path.GetFullPath(parseResult.GetRequiredValue(cli)),
                    (parseResult.GetValue(only) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    Console.Out);
        }));

        var workerArgs = new Argument<string[]>("args") { Arity = ArgumentArity.OneOrMore };
        var worker = new Command(WorkerVerb, "One worker process of the benchmark.") { workerArgs };
        worker.Hidden = true;
        worker.SetAction(parseResult => Run(() =>
            LoadBenchmarkRunner.RunWorker(parseResult.GetRequiredValue(workerArgs), Console.In, Console.Out)));
        root.Subcommands.Add(worker);
        return root;
    }

    /// <summary>Runs the body; any exception becomes <c>ERROR &lt;Type&gt;: message</c> on stderr and exit status 2.</summary>
    private static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
#pragma warning disable CA1031 // Every failure ends as an ERROR line and status 2, as the tool's commands do.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"ERROR {ex.GetType().Name}: {ex.Message}");
            return Error;
        }
    }
}
