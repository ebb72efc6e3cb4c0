using System.CommandLine;
using Tsim.Registry.LoadBenchmark;

namespace Tsim.Registry.Cli.Commands;

/// <summary>
/// <c>bench</c>: the multi-process load benchmark (bench_py.py's workloads W1-W7 against this library, then the
/// Python reference, one table with the speed-ups), or with <c>--scaling</c> the scaling table alone;
/// <c>bench-worker</c> (hidden): one of W1-W7's worker processes.
/// </summary>
internal static class BenchCommand
{
    private const string WorkerVerb = "bench-worker";

    internal static IEnumerable<Command> Create(CliContext context)
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
        var command = new Command(
            "bench",
            "Run the reference workloads W1-W7 against this library (worker processes of this program, a private semaphore "
            + "prefix and directory under /dev/shm), then 'python3 bench_py.py' (skipped if /dev/shm/sem.tsim-* are in use), "
            + "and print one table of both with the speed-up per workload. Takes about a minute; use a Release build. "
            + "With --scaling it runs only the scaling table instead (run bench twice for both).")
        {
            quick, json, scaling,
        };
        command.SetAction(parseResult => context.Run(() =>
        {
            var invoked = "tsim-registry bench" + (parseResult.GetValue(quick) ? " --quick" : string.Empty);
            return parseResult.GetValue(scaling)
                ? LoadBenchmarkRunner.RunScaling(parseResult.GetValue(quick), parseResult.GetValue(json), invoked + " --scaling", context.Output)
                : LoadBenchmarkRunner.Run(parseResult.GetValue(quick), parseResult.GetValue(json), WorkerVerb, invoked, context.Output);
        }));

        var workerArgs = new Argument<string[]>("args") { Arity = ArgumentArity.OneOrMore };
        var worker = new Command(WorkerVerb, "One worker process of 'bench'.") { workerArgs };
        worker.Hidden = true;
        worker.SetAction(parseResult => context.Run(() =>
            LoadBenchmarkRunner.RunWorker(parseResult.GetRequiredValue(workerArgs), context.Input, context.Output)));
        return [command, worker];
    }
}
