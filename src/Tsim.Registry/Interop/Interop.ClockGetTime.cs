using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>clock_gettime(2): reads a clock (<see cref="ClockIds"/>).</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "clock_gettime", SetLastError = true)]
    internal static partial int ClockGetTime(int clockId, out Timespec now);
}

/// <summary>Clock ids of clock_gettime(2) and sem_clockwait(3), from &lt;linux/time.h&gt;.</summary>
internal static class ClockIds
{
    /// <summary>Time since boot that never jumps: what deadlines are measured on.</summary>
    internal const int CLOCK_MONOTONIC = 1;
}
