using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

/// <summary>struct group from &lt;grp.h&gt;.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Group
{
    internal nint Name;
    internal nint Password;
    internal uint Gid;

    /// <summary>char **gr_mem: the names of the group's supplementary members, NULL-terminated.</summary>
    internal nint Members;
}

internal static partial class Libc
{
    /// <summary>getgrnam(3): returns a pointer to a static struct group, or NULL when there is no such group.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint GetGrNam(string name);

    /// <summary>getgrgid(3): returns a pointer to a static struct group, or NULL when there is no such group.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getgrgid", SetLastError = true)]
    internal static partial nint GetGrGid(uint gid);
}
