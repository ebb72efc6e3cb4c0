using BenchmarkDotNet.Running;

namespace Tsim.Registry.Benchmarks;

internal static class Program
{
    /// <summary>
    /// The BenchmarkDotNet micro benchmarks (C# only); the multi-process load benchmark against the Python reference
    /// is the program Tsim.Registry.LoadBenchmark next to this one.
    /// </summary>
    private static int Main(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
