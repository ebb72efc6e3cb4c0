using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Interop;
using Tsim.Registry.Security;

namespace Tsim.Registry.Storage;

/// <summary>
/// Replaces files of one directory atomically: a unique temporary file in the same directory, created exclusively,
/// written, fsync'ed, renamed over the target, then the directory fsync'ed so that the rename itself is durable.
/// A reader therefore sees the old file or the new one, never a torn one, and never a temporary file of another
/// writer (every writer, C# or Python, renames a new file over the old one).
/// </summary>
internal sealed class AtomicFileWriter(string registryDirectory, AccessPolicy policy, ILogger logger)
{
    /// <summary>Numbers the temporary files of this process (no random numbers: Guid.NewGuid reads /dev/urandom).</summary>
    private static long s_tempCounter;

    /// <summary>
    /// Gets the fsync(2) of the open registry directory, returning 0 or the errno. Replaceable only so that a test can
    /// make it fail, which no file system does on demand.
    /// </summary>
    internal Func<SafeFileHandle, int> FSyncDirectory { get; init; } =
        static directory => Interop.Libc.FSync(directory) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Writes <paramref name="bytes"/> as the new content of <paramref name="path"/>.</summary>
    /// <returns>The identity of the file now at <paramref name="path"/>, taken after the rename (which changes its ctime).</returns>
    /// <exception cref="IOException">
    /// The file could not be written; the previous content is intact and no temporary file is left. Never thrown once
    /// the rename is done: see <see cref="SyncDirectoryAfterRename"/>.
    /// </exception>
    internal FileIdentity? Replace(string path, ReadOnlySpan<byte> bytes)
    {
        // Unique per process (pid) and call (counter), created with O_EXCL: concurrent writers never share a temporary
        // file, and an existing file or symlink of that name (say, left by a crashed process that had this pid) is
        // refused rather than followed; the caller's retry then takes the next number.
        var temp = Path.Combine(registryDirectory, FormattableString.Invariant($".{Path.GetFileName(path)}.{Environment.ProcessId}.{Interlocked.Increment(ref s_tempCounter)}.tmp"));
        FileIdentity? identity;
        try
        {
            using var handle = NoFollowFile.OpenForWrite(temp, Interop.OpenFlags.O_EXCL, policy.FileModeBits);
            policy.ApplyToNewFile(handle);
            FileDescriptor.WriteAll(handle, temp, bytes);
            if (Interop.Libc.FSync(handle) != 0)
            {
                throw Errors.IOExceptionForPath(Marshal.GetLastPInvokeError(), temp, "fsync");
            }

            if (Interop.Libc.Rename(temp, path) != 0)
            {
                throw Errors.IOExceptionForPath(Marshal.GetLastPInvokeError(), path, "rename a new version over");
            }

            identity = FileIdentity.Of(handle);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        SyncDirectoryAfterRename(path);
        return identity;
    }

    /// <summary>fsyncs the directory, so that a rename in it survives a power cut (a no-op on tmpfs).</summary>
    /// <exception cref="IOException">The directory could not be opened or synced.</exception>
    internal void SyncDirectory()
    {
        using SafeFileHandle directory = Interop.Libc.Open(registryDirectory, Interop.OpenFlags.O_RDONLY | Interop.OpenFlags.O_DIRECTORY | Interop.OpenFlags.O_CLOEXEC, 0);
        if (directory.IsInvalid)
        {
            throw Errors.IOExceptionForPath(Marshal.GetLastPInvokeError(), registryDirectory, "open the registry directory to fsync");
        }

        if (FSyncDirectory(directory) is var errno and not 0)
        {
            throw Errors.IOExceptionForPath(errno, registryDirectory, "fsync the registry directory");
        }
    }

    /// <summary>
    /// fsyncs the directory after a rename that has already happened, and only logs a failure (event 2005). The new file
    /// is in place and every reader sees it, so the change happened: reporting it as failed would make a caller retry
    /// (writing it twice, or finding a moved file gone) or believe it lost. What the failed fsync leaves is a rename that
    /// a power cut or kernel crash may undo, which the warning says.
    /// </summary>
    internal void SyncDirectoryAfterRename(string path)
    {
        try
        {
            SyncDirectory();
        }
        catch (IOException ex)
        {
            logger.DirectorySyncFailedAfterRename(path, registryDirectory, ex);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the write already failed and that error is what the caller needs to see.
        }
    }
}
