using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Tsim.Registry.Interop;
using Tsim.Registry.Security;

namespace Tsim.Registry.Locking;

/// <summary>
/// Binds a semaphore prefix to one lock directory: <c>/dev/shm/sem.PREFIX-lock-directory</c> names the lock directory
/// (its device and inode, then its path) of every manager that uses the prefix, and a manager of another lock directory
/// is refused.
/// </summary>
/// <remarks>
/// <para>
/// Semaphores are named by the prefix alone, while owner records and recovery guards live in the lock directory. Two lock
/// directories on one prefix share the semaphores but not the records, and recovery cannot be right for both: a
/// recovery in one directory (by gate: docs/ARCHITECTURE.md, "Crash safety") leaves the dead holder's record in the
/// other, where a later recovery by record posts the semaphore again, under a live holder. One prefix, one lock
/// directory, is what every recovery argument assumes; this file makes it a checked rule.
/// </para>
/// <para>
/// The binding lives beside the semaphores, under a name no lock can have (lock names are <c>PREFIX-router-NAME</c> and
/// the three registry locks), so that removing a prefix's semaphores (<c>rm /dev/shm/sem.PREFIX-*</c>, which is what
/// resets a registry's locks) removes it too. It is published like a semaphore (prepared, then linked into place) and
/// judged like one (<see cref="AccessPolicy.VerifySemaphore"/>). A binding whose directory no longer exists (removed,
/// or another directory now at its path) is replaced.
/// </para>
/// </remarks>
internal static class PrefixBinding
{
    /// <summary>What the binding's name adds to the prefix.</summary>
    internal const string NameSuffix = "-lock-directory";

    private const int MaxBytes = 8192;

    /// <summary>Binds <paramref name="prefix"/> to <paramref name="lockDirectory"/>, or checks that it is bound to it.</summary>
    /// <exception cref="RegistryException">
    /// The prefix is bound to another lock directory that exists, or the binding cannot be read, judged or written.
    /// </exception>
    internal static void Bind(string prefix, string lockDirectory, AccessPolicy policy)
    {
        var name = "/" + prefix + NameSuffix;
        var identity = IdentityOf(lockDirectory) ?? throw new RegistryException($"Lock directory '{lockDirectory}' cannot be inspected.");
        var content = Encoding.UTF8.GetBytes($"{identity} {Path.GetFullPath(lockDirectory)}\n");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (Read(name, policy) is not { } bound)
            {
                _ = NamedSemaphore.TryPublish(name, content, policy.FileModeBits, policy.GroupId);
                continue; // Read it back: whoever linked first is bound.
            }

            var boundStillThere = IdentityOf(bound.Path) == bound.Identity;
            if (bound.Identity == identity && boundStillThere)
            {
                return; // This directory, perhaps reached by another path.
            }

            if (boundStillThere)
            {
                throw new RegistryException(
                    $"Semaphore prefix '{prefix}' is in use with lock directory '{bound.Path}', and this manager's lock directory is '{lockDirectory}'. " +
                    "Two lock directories cannot share one prefix: the semaphores are the same, the owner records are not, and a dead holder's lock could be recovered twice. " +
                    $"Use the same lock directory (for the CLI: the same --config), or another semaphore prefix. The binding is {SemaphoreFiles.PathOf(name)}.");
            }

            // The directory it names is gone (this one may even have its inode number now): nothing in it can be
            // recovered any more. Take the binding over.
            if (!NamedSemaphore.Unlink(name))
            {
                continue;
            }
        }

        throw new RegistryException($"Could not bind semaphore prefix '{prefix}' to lock directory '{lockDirectory}': {SemaphoreFiles.PathOf(name)} kept changing.");
    }

    /// <summary>Removes the prefix's binding (with its semaphores: a registry's locks being reset). Returns false when there was none.</summary>
    internal static bool Remove(string prefix) => NamedSemaphore.Unlink("/" + prefix + NameSuffix);

    /// <summary>
    /// Gets the lock directory <paramref name="prefix"/> is bound to (the path it was bound by), or <see langword="null"/>
    /// when there is no binding. Only reads: the binding's ownership is not judged, so a group's binding reads too.
    /// </summary>
    /// <exception cref="RegistryException">The binding exists but cannot be read, or is not a binding.</exception>
    internal static string? ReadBoundLockDirectory(string prefix) => Read("/" + prefix + NameSuffix, policy: null)?.Path;

    /// <summary>Gets a directory's identity (<c>MAJOR:MINOR:INODE</c>), or <see langword="null"/> when it cannot be inspected.</summary>
    private static string? IdentityOf(string directory) =>
        Interop.Libc.Statx(Interop.StatxConstants.AT_FDCWD, directory, 0, Interop.StatxConstants.STATX_BASIC_STATS, out var status) == 0 &&
        (status.Mode & Interop.StatxConstants.S_IFMT) == Interop.StatxConstants.S_IFDIR
            ? string.Create(CultureInfo.InvariantCulture, $"{status.DevMajor}:{status.DevMinor}:{status.Ino}")
            : null;

    /// <summary>
    /// Reads the binding, or returns <see langword="null"/> when there is none; <paramref name="policy"/> judges its
    /// ownership first, unless null (a read that decides nothing about using it).
    /// </summary>
    private static (string Identity, string Path)? Read(string name, AccessPolicy? policy)
    {
        var path = SemaphoreFiles.PathOf(name);
        using var file = Interop.Libc.Open(path, Interop.OpenFlags.O_RDONLY | Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_NONBLOCK | Interop.OpenFlags.O_CLOEXEC, 0);
        if (file.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Interop.Errno.ENOENT ? null : throw Errors.ForPath(errno, path, "open the lock directory binding");
        }

        if (Interop.Libc.Statx(file, string.Empty, Interop.StatxConstants.AT_EMPTY_PATH, Interop.StatxConstants.STATX_BASIC_STATS, out var status) != 0)
        {
            throw Errors.ForPath(Marshal.GetLastPInvokeError(), path, "inspect the lock directory binding");
        }

        if ((status.Mode & Interop.StatxConstants.S_IFMT) != Interop.StatxConstants.S_IFREG || status.Size > MaxBytes)
        {
            throw new RegistryException($"'{path}' is not a lock directory binding (a small regular file). Make sure no job runner uses the prefix, then remove it.");
        }

        policy?.VerifySemaphore(name, file, status);
        var buffer = new byte[MaxBytes];
        int length = 0, read;
        while ((read = RandomAccess.Read(file, buffer.AsSpan(length), length)) > 0)
        {
            length += read;
        }

        var text = Encoding.UTF8.GetString(buffer, 0, length).TrimEnd('\n');
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space > 0
            ? (text[..space], text[(space + 1)..])
            : throw new RegistryException($"The lock directory binding '{path}' is not in the form 'MAJOR:MINOR:INODE PATH'. Make sure no job runner uses the prefix, then remove it.");
    }
}
