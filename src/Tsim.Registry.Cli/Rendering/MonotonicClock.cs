using System.Diagnostics;

namespace Tsim.Registry.Cli.Rendering;

/// <summary>
/// CLOCK_MONOTONIC in nanoseconds, the <c>&lt;mono_ns&gt;</c> of <c>ACQUIRED</c>/<c>RELEASED</c>: system-wide on
/// Linux, so it compares with Python's <c>time.monotonic_ns()</c> and with other processes' timestamps.
/// </summary>
internal static class MonotonicClock
{
    internal const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>
    /// On Linux <see cref="Stopwatch"/> reads CLOCK_MONOTONIC with a frequency of 1e9, so this is the raw clock; the
    /// 128-bit arithmetic keeps any other frequency exact and free of overflow.
    /// </summary>
    internal static long NowNanoseconds()
    {
        var ticks = Stopwatch.GetTimestamp();
        return Stopwatch.Frequency == NanosecondsPerSecond
            ? ticks
            : (long)((Int128)ticks * NanosecondsPerSecond / Stopwatch.Frequency);
    }
}
