using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

/// <summary>The leading fields of struct passwd from &lt;pwd.h&gt;.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Passwd
{
    internal nint Name;
    internal nint Password;
    internal uint Uid;
    internal uint Gid;
    internal nint Gecos;
    internal nint Directory;
    internal nint Shell;
}

internal static partial class Libc
{
    /// <summary>ERANGE: the buffer given to getpwuid_r(3) is too small.</summary>
    internal const int ERANGE = 34;

    /// <summary>
    /// getpwuid_r(3): the user database entry of a uid, in the caller's buffer (getpwuid(3)'s static one would race
    /// with other threads). Returns 0 with <paramref name="result"/> NULL when there is no such user, or an errno.
    /// </summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "getpwuid_r")]
    internal static unsafe partial int GetPwUidR(uint uid, Passwd* entry, byte* buffer, nuint length, Passwd** result);
}
