using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>
/// The child side of W2cold: W2's worker in a fresh process that has run no JIT warm-up and has not touched the
/// library before the parent's GO. Everything the library does first in a process is timed: loading the assembly,
/// its static initialisers, the manager's construction and options validation, and the JIT of each first call.
/// </summary>
/// <remarks>
/// This class names no library type outside <see cref="Timed"/>, which is compiled only after GO: compiling a method
/// that mentions a library type loads the library's assembly.
/// </remarks>
internal static class ColdWorker
{
    /// <summary>The worker kind the parent starts.</summary>
    internal const string Kind = "w2cold";

    private const string LibraryAssembly = "Tsim.Registry";

    /// <summary>Runs one cold worker: says READY, waits for GO, then registers its share of the hosts.</summary>
    /// <param name="args">Kind, directory, prefix, k, nproc, n (as W2's worker).</param>
    /// <param name="input">Lines from the parent.</param>
    /// <param name="output">Lines to the parent.</param>
    internal static int Run(IReadOnlyList<string> args, TextReader input, TextWriter output)
    {
        int Int(int i) => int.Parse(args[i], CultureInfo.InvariantCulture);
        var loadedBeforeGo = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == LibraryAssembly);
        output.WriteLine("READY");
        output.Flush();
        var line = input.ReadLine();
        if (!string.Equals(line, "GO", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"expected 'GO' from the parent, got '{line}'");
        }

        var jit = JitSnapshot.Take();
        var result = Timed(args[1], args[2], Int(3), Int(4), Int(5), jit);
        result["library_loaded_before_go"] = loadedBeforeGo;
        output.WriteLine(result.ToJsonString());
        output.Flush();
        return 0;
    }

    /// <summary>Everything timed: the manager's construction and the registrations, with the JIT's share of each phase.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static JsonObject Timed(string directory, string prefix, int k, int nproc, int n, JitSnapshot atGo)
    {
        var tally = new RegistrationTally();
        var done = 0;
        var t0 = Stopwatch.GetTimestamp();
        var (manager, log) = Bench.MakeManager(directory, prefix);
        var constructed = JitSnapshot.Take();
        var tConstructed = Bench.Since(t0);
        double tFirst = 0;
        JitSnapshot? afterFirst = null;
        using (manager)
        {
            for (var i = k; i < n; i += nproc)
            {
                tally.Register(manager, Bench.Host(i));
                if (++done == 1)
                {
                    tFirst = Bench.Since(t0) - tConstructed;
                    afterFirst = JitSnapshot.Take();
                }
            }
        }

        var elapsed = Bench.Since(t0);
        var end = JitSnapshot.Take();
        afterFirst ??= end;
        var result = new JsonObject
        {
            ["k"] = k,
            ["elapsed"] = elapsed,
            ["construct_s"] = tConstructed,
            ["first_op_s"] = tFirst,
            ["rest_s"] = elapsed - tConstructed - tFirst,
            ["jit_methods_construct"] = constructed.Methods - atGo.Methods,
            ["jit_ms_construct"] = (constructed.Time - atGo.Time).TotalMilliseconds,
            ["jit_methods_first_op"] = afterFirst.Methods - constructed.Methods,
            ["jit_ms_first_op"] = (afterFirst.Time - constructed.Time).TotalMilliseconds,
            ["jit_methods_rest"] = end.Methods - afterFirst.Methods,
            ["jit_ms_rest"] = (end.Time - afterFirst.Time).TotalMilliseconds,
            ["log"] = Bench.Counts(log.Counts),
        };
        tally.WriteTo(result);
        return result;
    }

    /// <summary>The runtime's count of compiled methods and its time in the JIT, all threads (tier-1 recompilations included).</summary>
    private sealed record JitSnapshot(long Methods, TimeSpan Time)
    {
        internal static JitSnapshot Take() =>
            new(System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
    }
}
