using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>geteuid(2): never fails.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "geteuid")]
    internal static partial uint GetEUid();
}
