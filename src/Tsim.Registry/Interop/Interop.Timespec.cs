using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

/// <summary>struct timespec on 64-bit Linux.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timespec
{
    internal const long NanosecondsPerSecond = 1_000_000_000;

    internal long TvSec;
    internal long TvNsec;
}
