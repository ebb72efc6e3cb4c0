using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Interop;
using Tsim.Registry.Storage;

namespace Tsim.Registry.Locking;

/// <summary>
/// One manager's file whose hard links are its router lock files in a registry shared with Python. A router's lock
/// file (<c>LOCKDIR/PREFIX-router-ROUTER</c>) must exist exactly while the router is held, because that is what
/// Python's <c>is_router_locked</c> and <c>wait_for_router</c> look at; its content is nobody's business, since the
/// owner record lives in the router's slot (<see cref="OwnerRecords"/>). So an acquisition makes the lock file with
/// one <c>link(2)</c> of this file and a release removes it with one <c>unlink(2)</c>: two system calls per cycle
/// where writing a record file took four and a write.
/// </summary>
/// <remarks>
/// <para>
/// The file is created on the manager's first router lock and removed when the manager is disposed; lock files still
/// linked to it are names of their own and stay until their holds end. Its name,
/// <c>.presence-PID-STARTTIME-PIDNS-N</c>, is hidden and carries the process's identity, so that the next manager
/// that creates one removes those of dead processes (a SIGKILLed job runner leaves its file behind). A file removed
/// under a live manager (by an operator, or by a process of another pid namespace that judged the pid wrongly) is
/// simply made again at the next acquisition.
/// </para>
/// <para>
/// Its content is one line for whoever runs <c>cat</c> on a lock file at 3 a.m. It is not JSON, so a reader of the
/// lock file finds no owner record there (<see cref="LockFiles.ReadOwnerRecord"/>) and uses the slot.
/// </para>
/// </remarks>
internal sealed class PresenceFile : IDisposable
{
    private const string NamePrefix = ".presence-";
    private static int s_lastInstance;

    private readonly LockFiles _files;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private string? _path;
    private bool _disposed;

    /// <summary>Initializes the presence file of one manager in one lock directory; nothing is created yet.</summary>
    internal PresenceFile(LockFiles files, ILogger logger)
    {
        _files = files;
        _logger = logger;
    }

    /// <summary>
    /// Makes <paramref name="lockFilePath"/> a hard link of this manager's presence file, creating that first if
    /// needed. Called with the router's semaphore held, so whatever is under the name already is a dead holder's
    /// leftover or was planted there: it is replaced.
    /// </summary>
    /// <exception cref="RegistryException">The lock file cannot be made.</exception>
    internal void LinkAs(string lockFilePath)
    {
        var errno = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (Libc.Link(EnsureCreated(), lockFilePath) == 0)
            {
                return;
            }

            errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case Errno.EEXIST:
                    // A leftover (a holder killed before the recovery got to its lock file, a file planted by hand, a
                    // symlink: unlink removes the link itself). Removing a directory fails and ends up below.
                    _ = Libc.Unlink(lockFilePath);
                    break;
                case Errno.ENOENT:
                    Forget(); // Our file was removed under us: make it again.
                    break;
                default:
                    throw Errors.ForPath(errno, lockFilePath, "create the router lock file");
            }
        }

        throw Errors.ForPath(errno, lockFilePath, "create the router lock file");
    }

    /// <summary>Removes the presence file (lock files linked to it stay until their holds end).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            if (_path is not null)
            {
                _ = Libc.Unlink(_path);
                _path = null;
            }
        }
    }

    private string EnsureCreated()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_path is not null)
            {
                return _path;
            }

            var process = ProcessIdentity.Current;
            var name = string.Create(
                CultureInfo.InvariantCulture,
                $"{NamePrefix}{process.Pid}-{process.StartTime}-{NamespaceId(process.PidNamespace)}-{Interlocked.Increment(ref s_lastInstance)}");
            var path = Path.Combine(_files.LockDirectory, name);
            Create(path, process.Pid);
            _path = path;
            RemoveThoseOfDeadProcesses(process.PidNamespace);
            return path;
        }
    }

    private void Forget()
    {
        lock (_gate)
        {
            _path = null;
        }
    }

    private void Create(string path, int pid)
    {
        // O_EXCL: a name of this process's identity cannot exist unless planted; refuse it rather than link to it.
        using var handle = NoFollowFile.OpenForWrite(path, OpenFlags.O_EXCL, _files.Policy.FileModeBits);
        _files.Policy.ApplyToNewFile(handle);
        var line = Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"router lock file of a tsim-registry process (pid {pid}); the owner is in the router's slot: tsim-registry locks\n"));
        var errno = FileDescriptor.TryWriteAll(handle, line);
        if (errno != 0)
        {
            throw Errors.ForPath(errno, path, "write the presence file");
        }
    }

    /// <summary>
    /// Removes the presence files of dead processes of this pid namespace; files of other namespaces cannot be
    /// judged from here and stay. Never fails the caller.
    /// </summary>
    private void RemoveThoseOfDeadProcesses(string pidNamespace)
    {
        var ours = NamespaceId(pidNamespace);
        try
        {
            foreach (var path in Directory.EnumerateFiles(_files.LockDirectory, NamePrefix + "*"))
            {
                if (TryParseName(Path.GetFileName(path), out var pid, out var startTime, out var namespaceId) &&
                    string.Equals(namespaceId, ours, StringComparison.Ordinal) &&
                    OwnerLivenessCheck.Check(pid, startTime, pidNamespace) == OwnerLiveness.Dead)
                {
                    _ = Libc.Unlink(path);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.PresenceFileSweepFailed(_files.LockDirectory, ex);
        }
    }

    private static bool TryParseName(string fileName, out int pid, out long startTime, out string namespaceId)
    {
        pid = 0;
        startTime = 0;
        namespaceId = string.Empty;
        var parts = fileName[NamePrefix.Length..].Split('-');
        if (parts.Length != 4 ||
            !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out pid) ||
            !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out startTime))
        {
            return false;
        }

        namespaceId = parts[2];
        return true;
    }

    /// <summary>The inode of a pid namespace (<c>pid:[4026531836]</c> gives <c>4026531836</c>): the part a file name can carry.</summary>
    private static string NamespaceId(string pidNamespace) =>
        new string([.. pidNamespace.Where(char.IsAsciiDigit)]) is { Length: > 0 } digits ? digits : "0";
}
