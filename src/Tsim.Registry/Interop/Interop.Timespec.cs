using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

/// <summary>struct timespec on 64-bit Linux.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timespec
{
    /// <summary>The range of <see cref="TvNsec"/>: 0 to this value − 1.</summary>
    internal const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>tv_sec: whole seconds.</summary>
    internal long TvSec;

    /// <summary>tv_nsec: nanoseconds within the second.</summary>
    internal long TvNsec;
}
