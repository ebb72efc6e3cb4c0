using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Interop;

namespace Tsim.Registry.Testing;

/// <summary>
/// Removes a directory tree by descriptors. Each directory is opened relative to its parent's descriptor with
/// O_NOFOLLOW and emptied through its own descriptor, so that a symbolic link or a rename swapped into the tree while it
/// is removed never leads outside it. A path-based recursive delete (<see cref="Directory.Delete(string, bool)"/>)
/// re-walks each path it listed, and follows a directory swapped for a link in between: a temporary registry's tree is
/// writable by a group in group mode, and leftovers sit in world-writable <c>/dev/shm</c>.
/// </summary>
internal static class DirectoryTree
{
    private const int OpenDirectory = OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_NOFOLLOW | OpenFlags.O_NONBLOCK | OpenFlags.O_CLOEXEC;

    /// <summary>Deeper than any registry; a deeper tree is refused rather than recursed into until the stack runs out.</summary>
    private const int MaxDepth = 64;

    /// <summary>
    /// Removes <paramref name="path"/> and everything under it. A symbolic link (or a file) at any level is removed
    /// itself, never what it points to. Nothing to remove is not an error.
    /// </summary>
    /// <exception cref="IOException">Something could not be opened or removed; what came before is removed.</exception>
    internal static void Delete(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        using var parent = Libc.Open(Path.GetDirectoryName(full)!, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
        if (parent.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ENOENT)
            {
                return;
            }

            throw Errors.IOExceptionForPath(errno, full, "open the directory of");
        }

        Remove(parent, Path.GetFileName(full), full, depth: 0);
    }

    private static void Remove(SafeFileHandle parent, string name, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new IOException($"'{path}' is more than {MaxDepth} directories deep; not removed.");
        }

        using (var directory = Libc.OpenAt(parent, name, OpenDirectory, 0))
        {
            if (directory.IsInvalid)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is Errno.ELOOP or Errno.ENOTDIR)
                {
                    Unlink(parent, name, path, 0); // A link or a file: its name goes, nothing it points to.
                    return;
                }

                if (errno == Errno.ENOENT)
                {
                    return;
                }

                throw Errors.IOExceptionForPath(errno, path, "open");
            }

            // The directory's own descriptor names it in /proc, whatever happens to its path meanwhile.
            var byDescriptor = "/proc/self/fd/" + directory.DangerousGetHandle().ToInt32().ToString(CultureInfo.InvariantCulture);
            foreach (var entry in System.IO.Directory.GetFileSystemEntries(byDescriptor))
            {
                var entryName = Path.GetFileName(entry);
                Remove(directory, entryName, Path.Combine(path, entryName), depth + 1);
            }
        }

        Unlink(parent, name, path, StatxConstants.AT_REMOVEDIR);
    }

    private static void Unlink(SafeFileHandle parent, string name, string path, int flags)
    {
        if (Libc.UnlinkAt(parent, name, flags) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != Errno.ENOENT)
        {
            throw Errors.IOExceptionForPath(errno, path, "remove");
        }
    }
}
