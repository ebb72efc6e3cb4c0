using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Interop;
using Tsim.Registry.Security;

namespace Tsim.Registry.Storage;

/// <summary>
/// Replaces files of one directory atomically: a unique temporary file in the same directory, created exclusively,
/// written, fsync'ed, renamed over the target, then the directory fsync'ed so that the rename itself is durable.
/// A reader therefore sees the old file or the new one, never a torn one, and never a temporary file of another
/// writer (every writer, C# or Python, renames a new file over the old one).
/// </summary>
internal sealed class AtomicFileWriter(string registryDirectory, AccessPolicy policy)
{
    /// <summary>Numbers the temporary files of this process (no random numbers: Guid.NewGuid reads /dev/urandom).</summary>
    private static long s_tempCounter;


    /// <summary>Writes <paramref name="bytes"/> as the new content of <paramref name="path"/>.</summary>
    /// <returns>The identity of the file now at <paramref name="path"/>, taken after the rename (which changes its ctime).</returns>
    /// <exception cref="IOException">The file could not be written; the previous content is intact and no temporary file is left.</exception>
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

        SyncDirectory();
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

        if (Interop.Libc.FSync(directory) != 0)
        {
            throw Errors.IOExceptionForPath(Marshal.GetLastPInvokeError(), registryDirectory, "fsync the registry directory");
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
