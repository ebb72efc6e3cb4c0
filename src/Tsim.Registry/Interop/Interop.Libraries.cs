namespace Tsim.Registry.Interop;

internal static class Libraries
{
    // Resolves to glibc's libc.so.6; the sem_* symbols live there since glibc 2.34.
    internal const string Libc = "libc";
}
