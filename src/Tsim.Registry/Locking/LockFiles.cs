using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Security;
using Tsim.Registry.Storage;

namespace Tsim.Registry.Locking;

/// <summary>
/// The lock directory: where every file of every lock lives (<see cref="LockName"/> spells their names), and the
/// router lock files and notify files of the compatibility contract (docs/ARCHITECTURE.md, "Compatibility with the
/// Python implementation").
/// </summary>
/// <remarks>
/// The lock file <c>LOCKNAME</c> (for example <c>tsim-router-r1</c>) exists exactly while a router of a registry shared
/// with Python is held: a hard link of the holder's <see cref="PresenceFile"/> (older versions of this library wrote
/// the owner record into it, which readers still accept). <c>router_ROUTER_notify</c> is touched on every release of
/// a router so that inotify waiters (Python's and ours) wake up. Every lock, router or not, has an owner record slot
/// (<c>.LOCKNAME.owner</c>, <see cref="OwnerRecords"/>) once held, and may have a recovery guard
/// (<c>.LOCKNAME.recovery</c>, <see cref="LockRecovery"/>).
/// </remarks>
internal sealed class LockFiles
{
    private readonly string _lockDirectory;
    private readonly ILogger _logger;

    /// <summary>Initializes the files of one lock directory, which must exist.</summary>
    /// <param name="lockDirectory">The lock directory.</param>
    /// <param name="logger">Where failures that do not fail the caller are reported.</param>
    /// <param name="policy">The modes new files are created with; private by default.</param>
    internal LockFiles(string lockDirectory, ILogger logger, AccessPolicy? policy = null)
    {
        _lockDirectory = lockDirectory;
        Policy = policy ?? AccessPolicy.Private;
        _logger = logger;
    }

    /// <summary>Gets the lock directory.</summary>
    internal string LockDirectory => _lockDirectory;

    /// <summary>Gets the modes new files are created with.</summary>
    internal AccessPolicy Policy { get; }

    /// <summary>
    /// Gets the path of a lock's lock file, <c>LOCKDIR/LOCKNAME</c>: a router's presence marker in a registry shared with
    /// Python, or where an older version of this library wrote the owner record (<see cref="ReadOwnerRecord"/>).
    /// </summary>
    internal string OwnerRecordPath(LockName lockName) => Path.Combine(_lockDirectory, lockName.OwnerRecordFileName);

    /// <summary>Gets the path of a lock's owner record slot, <c>LOCKDIR/.LOCKNAME.owner</c>: hidden, never deleted.</summary>
    internal string SlotPath(LockName lockName) => Path.Combine(_lockDirectory, lockName.SlotFileName);

    /// <summary>Gets the path of the file whose flock serialises recoveries of one lock, <c>LOCKDIR/.LOCKNAME.recovery</c>: hidden, never deleted.</summary>
    internal string RecoveryGuardPath(LockName lockName) => Path.Combine(_lockDirectory, lockName.RecoveryGuardFileName);

    /// <summary>Gets the path of a router's notify file, <c>LOCKDIR/router_ROUTER_notify</c>.</summary>
    internal string NotifyPath(string routerName) => Path.Combine(_lockDirectory, LockName.NotifyFileName(routerName));

    /// <summary>
    /// Lists the routers the lock directory knows of: those with a lock file (held by a C# process sharing the registry
    /// with Python), an owner record slot (ever held by a C# process) or a notify file (released
    /// at least once, by either implementation). See <see cref="LockName.TryParseRouterFileName"/>.
    /// </summary>
    internal SortedSet<string> KnownRouters(string prefix)
    {
        var routers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(_lockDirectory))
        {
            if (LockName.TryParseRouterFileName(prefix, Path.GetFileName(path), out var routerName))
            {
                routers.Add(routerName);
            }
        }

        return routers;
    }

    /// <summary>
    /// Deletes a router's lock file, whatever made it (a <see cref="PresenceFile"/> link, or an older version that wrote
    /// its record into it): for the recovery of a dead holder and the operator override.
    /// </summary>
    /// <returns>
    /// <see langword="false"/> when the lock file could neither be deleted nor emptied (an empty file holds no record
    /// for every reader of this library, so the record is as good as gone; Python still sees the file).
    /// </returns>
    internal bool DeleteOwnerRecord(LockName lockName)
    {
        var path = OwnerRecordPath(lockName);
        if (TryDelete(path))
        {
            return true;
        }

        _logger.OwnerRecordDeleteFailed(path);
        try
        {
            using var handle = NoFollowFile.OpenForWrite(path, Interop.OpenFlags.O_TRUNC, Policy.FileModeBits);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads an owner record from a lock's lock file, or returns <see langword="null"/> when there is none or it cannot be parsed:
    /// a lock file that is a link of a <see cref="PresenceFile"/> holds no record (the holder's is in the slot); one
    /// written by an older version of this library does.
    /// </summary>
    internal OwnerRecord? ReadOwnerRecord(LockName lockName)
    {
        var path = OwnerRecordPath(lockName);
        try
        {
            return NoFollowFile.TryReadAllBytes(path) is { Length: > 0 } bytes
                ? JsonSerializer.Deserialize(bytes, RegistryJsonContext.Default.OwnerRecord)
                : null;
        }
        catch (IOException)
        {
            // A symlink under the record's name, or the lock directory gone: no usable record.
            return null;
        }
        catch (JsonException)
        {
            // Not ours to judge here: a record someone else wrote in another shape is "unknown owner".
            return null;
        }
        catch (RegistryException)
        {
            // Not a regular file, or far too large to be a record (NoFollowFile.MaxReadBytes): no usable record either.
            return null;
        }
    }

    /// <summary>Touches a router's notify file (creating it if needed), which inotify reports to waiters.</summary>
    internal void TouchNotify(string routerName)
    {
        var path = NotifyPath(routerName);

        // The common case, the file exists: one utimensat(2), an IN_ATTRIB event as Python's Path.touch() produces.
        // AT_SYMLINK_NOFOLLOW: a symlink planted under the name is touched itself, never what it points to.
        if (Interop.Libc.UTimensAt(Interop.StatxConstants.AT_FDCWD, path, 0, Interop.StatxConstants.AT_SYMLINK_NOFOLLOW) == 0)
        {
            return;
        }

        if (Marshal.GetLastPInvokeError() is Interop.Errno.EACCES or Interop.Errno.EPERM)
        {
            // Another user's file that we may not touch (tsim under umask 022 creates it 0644). The lock directory lets
            // every member replace it; waiters see the new file as they would the touch (inotify IN_CREATE).
            TryDelete(path);
        }

        try
        {
            using var handle = NoFollowFile.OpenForWrite(path, 0, Policy.FileModeBits);
            Policy.ApplyToNewFile(handle);
            File.SetLastWriteTimeUtc(handle, DateTime.UtcNow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The lock is already released; a missed touch only delays waiters until their next re-check.
            _logger.NotifyTouchFailed(routerName, path, ex);
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
