using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

/// <summary>The leading fields of struct group from &lt;grp.h&gt;.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Group
{
    internal nint Name;
    internal nint Password;
    internal uint Gid;
}

internal static partial class Libc
{
    /// <summary>getgrnam(3): returns a pointer to a static struct group, or NULL when there is no such group.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint GetGrNam(string name);
}
