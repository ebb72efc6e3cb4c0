using System.Runtime.InteropServices;

namespace Tsim.Registry.Interop;

/// <summary>Turns an errno into the exception callers see, naming the semaphore or path involved.</summary>
internal static class Errors
{
    internal static RegistryException ForSemaphore(int errno, string semaphoreName, string operation)
    {
        var reason = Marshal.GetPInvokeErrorMessage(errno);
        var hint = errno switch
        {
            Interop.Errno.EACCES or Interop.Errno.EPERM =>
                $" The semaphore belongs to another user or has a narrower mode; check /dev/shm/sem.{semaphoreName.TrimStart('/')}.",
            Interop.Errno.ENAMETOOLONG or Interop.Errno.EINVAL => " The semaphore name is not valid.",
            _ => string.Empty,
        };
        return new RegistryException($"Could not {operation} semaphore '{semaphoreName}': {reason} (errno {errno}).{hint}");
    }

    internal static RegistryException ForPath(int errno, string path, string operation) =>
        new($"Could not {operation} '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
}
