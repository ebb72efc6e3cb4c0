using System.CommandLine;
using Tsim.Registry.LoadBenchmark;

namespace Tsim.Registry.Cli.Commands;

/// <summary>
/// <c>bench</c>: the multi-process load benchmark (bench_py.py's workloads W1-W7 against this library, then the
/// Python reference, one table with the speed-ups); <c>bench-worker</c> (hidden): one of its worker processes.
/// </summary>
internal static class BenchCommand
{
    private const string WorkerVerb = "bench-worker";

    internal static IEnumerable<Command> Create(CliContext context)
    {
        var quick = new Option<bool>("--quick") { Description = "Divide the iteration counts by 10 (a smoke test), on both sides." };
        var json = new Option<string?>("--json") { Description = "Write the combined result here (default: tsim-registry-bench.json in the temp directory).", HelpName = "FILE" };
        var command = new Command(
            "bench",
            "Run the reference workloads W1-W7 against this library (worker processes of this program, a private semaphore "
            + "prefix and directory under /dev/shm), then 'python3 bench_py.py' (skipped if /dev/shm/sem.tsim-* are in use), "
            + "and print one table of both with the speed-up per workload. Takes about a minute; use a Release build.")
        {
            quick, json,
        };
        command.SetAction(parseResult => context.Run(() => LoadBenchmarkRunner.Run(
            parseResult.GetValue(quick),
            parseResult.GetValue(json),
            WorkerVerb,
            "tsim-registry bench" + (parseResult.GetValue(quick) ? " --quick" : string.Empty),
            context.Output)));

        var workerArgs = new Argument<string[]>("args") { Arity = ArgumentArity.OneOrMore };
        var worker = new Command(WorkerVerb, "One worker process of 'bench'.") { workerArgs };
        worker.Hidden = true;
        worker.SetAction(parseResult => context.Run(() =>
            LoadBenchmarkRunner.RunWorker(parseResult.GetRequiredValue(workerArgs), context.Input, context.Output)));
        return [command, worker];
    }
}
