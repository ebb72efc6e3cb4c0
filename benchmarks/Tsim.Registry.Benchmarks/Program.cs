using BenchmarkDotNet.Running;
using Tsim.Registry.LoadBenchmark;

namespace Tsim.Registry.Benchmarks;

internal static class Program
{
    private const string WorkerVerb = "load-worker";

    /// <summary>
    /// <c>load [--quick] [--json FILE]</c>: the multi-process load benchmark W1-W7 against C# and Python;
    /// <c>load --scaling [--quick] [--json FILE]</c>: instead of W1-W7, the scaling table (100 to 50,000 hosts, both sides);
    /// <c>load-worker …</c>: one of its worker processes; anything else goes to BenchmarkDotNet.
    /// </summary>
    private static int Main(string[] args)
    {
        if (args is ["load", .. var options])
        {
            var quick = options.Contains("--quick");
            var json = Array.IndexOf(options, "--json") is var i and >= 0 && i + 1 < options.Length ? options[i + 1] : null;
            var command = "Tsim.Registry.Benchmarks " + string.Join(' ', args);
            if (options.Contains("--scaling"))
            {
                return LoadBenchmarkRunner.RunScaling(quick, json, command, Console.Out);
            }

            return LoadBenchmarkRunner.Run(quick, json, WorkerVerb, command, Console.Out);
        }

        if (args is [WorkerVerb, .. var workerArgs])
        {
            return LoadBenchmarkRunner.RunWorker(workerArgs, Console.In, Console.Out);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
