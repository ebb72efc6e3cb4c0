using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

internal static partial class Libc
{
    /// <summary>
    /// getppid(2): never fails. Returns 0 when the parent is outside this process's pid namespace (the child that
    /// <c>unshare --fork</c> or a container runtime started as the namespace's first process).
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getppid")]
    internal static partial int GetPPid();
}
