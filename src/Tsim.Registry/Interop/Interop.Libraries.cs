namespace Tsim.Registry.Interop;

/// <summary>The native libraries this library imports from.</summary>
internal static class Libraries
{
    /// <summary>Resolves to glibc's libc.so.6; the sem_* symbols live there since glibc 2.34.</summary>
    internal const string Libc = "libc";
}
