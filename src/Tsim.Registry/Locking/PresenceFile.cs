using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Interop;
using Tsim.Registry.Storage;

namespace Tsim.Registry.Locking;

/// <summary>
/// One manager's file whose hard links are its router lock files in a registry shared with Python. A router's lock
/// file (<c>LOCKDIR/PREFIX-router-ROUTER</c>) must exist exactly while the router is held, because that is what
/// Python's <c>is_router_locked</c> and <c>wait_for_router</c> look at; its content is nobody's business, since the
/// owner record lives in the router's slot (<see cref="OwnerRecords"/>). So an acquisition makes the lock file with
/// one <c>linkat(2)</c> of this file and a release removes it with one <c>unlinkat(2)</c>: two system calls per cycle
/// where writing a record file took four and a write. Both are relative to a descriptor of the lock directory opened
/// once, so the kernel looks up one name rather than the whole path.
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
    private SafeFileHandle? _directory;
    private string? _name;
    private bool _disposed;

    /// <summary>Initializes the presence file of one manager in one lock directory; nothing is created yet.</summary>
    internal PresenceFile(LockFiles files, ILogger logger)
    {
        _files = files;
        _logger = logger;
    }

    /// <summary>
    /// Makes the router's lock file a hard link of this manager's presence file, creating that first if needed.
    /// Called with the router's semaphore held, so whatever is under the name already is a dead holder's leftover or
    /// was planted there: it is replaced.
    /// </summary>
    /// <exception cref="RegistryException">The lock file cannot be made.</exception>
    internal void LinkAs(LockName name)
    {
        var lockFileName = name.OwnerRecordFileName;
        var errno = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (directory, presenceName) = EnsureCreated();
            if (Libc.LinkAt(directory, presenceName, directory, lockFileName, 0) == 0)
            {
                return;
            }

            errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case Errno.EEXIST:
                    // A leftover (a holder killed before the recovery got to its lock file, a file planted by hand, a
                    // symlink: unlink removes the link itself). Removing a directory fails and ends up below.
                    _ = Libc.UnlinkAt(directory, lockFileName, 0);
                    break;
                case Errno.ENOENT:
                    Forget(presenceName); // Our file was removed under us: make it again.
                    break;
                default:
                    throw Errors.ForPath(errno, _files.OwnerRecordPath(name), "create the router lock file");
            }
        }

        throw Errors.ForPath(errno, _files.OwnerRecordPath(name), "create the router lock file");
    }

    /// <summary>Removes a router's lock file when its hold ends. Called right before the semaphore is posted.</summary>
    /// <returns>
    /// <see langword="false"/> when the file is there and could not be removed; Python would take the router for held
    /// for ever, so the lock must then stay held until this process is gone and a waiter recovers it.
    /// </returns>
    internal bool TryRemoveLockFile(LockName name)
    {
        // Only the directory: a release never creates a file (a full file system must not keep a lock held).
        SafeFileHandle directory;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            directory = OpenDirectory();
        }

        if (Libc.UnlinkAt(directory, name.OwnerRecordFileName, 0) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == Errno.ENOENT)
        {
            return true; // Removed by an operator or a recovery that judged wrongly: gone is what a release wants.
        }

        _logger.RouterLockFileDeleteFailed(_files.OwnerRecordPath(name), errno);
        return false;
    }

    /// <summary>Removes the presence file (lock files linked to it stay until their holds end) and closes the directory.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            if (_directory is not null && _name is not null)
            {
                _ = Libc.UnlinkAt(_directory, _name, 0);
            }

            _directory?.Dispose();
            _directory = null;
            _name = null;
        }
    }

    private (SafeFileHandle Directory, string PresenceName) EnsureCreated()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_directory is not null && _name is not null)
            {
                return (_directory, _name);
            }

            var directory = OpenDirectory();
            var process = ProcessIdentity.Current;
            var name = Create(process);
            _name = name;
            RemoveThoseOfDeadProcesses();
            return (directory, name);
        }
    }

    /// <summary>Opens the lock directory once; called under the gate.</summary>
    /// <exception cref="RegistryException">The lock directory cannot be opened.</exception>
    private SafeFileHandle OpenDirectory()
    {
        if (_directory is null)
        {
            var directory = Libc.Open(_files.LockDirectory, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
            if (directory.IsInvalid)
            {
                var errno = Marshal.GetLastPInvokeError();
                directory.Dispose();
                throw Errors.ForPath(errno, _files.LockDirectory, "open the lock directory");
            }

            _directory = directory;
        }

        return _directory;
    }

    /// <summary>Forgets a presence file found gone, unless another thread has already made the next one.</summary>
    private void Forget(string gone)
    {
        lock (_gate)
        {
            if (string.Equals(_name, gone, StringComparison.Ordinal))
            {
                _name = null;
            }
        }
    }

    /// <summary>
    /// Creates a new presence file and returns its name. A name that is taken (planted, or made by another copy of this
    /// library loaded in the same process, whose counter starts where ours does) is skipped for the next number.
    /// </summary>
    /// <exception cref="RegistryException">No presence file can be created (a full file system, a directory we may not write).</exception>
    private string Create(ProcessIdentity process)
    {
        var line = Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"router lock file of a tsim-registry process (pid {process.Pid}); the owner is in the router's slot: tsim-registry locks\n"));
        for (var attempt = 0; ; attempt++)
        {
            var name = string.Create(
                CultureInfo.InvariantCulture,
                $"{NamePrefix}{process.FileNameForm}-{Interlocked.Increment(ref s_lastInstance)}");
            var path = Path.Combine(_files.LockDirectory, name);
            try
            {
                // O_EXCL: never link lock files to a file someone else prepared under our name.
                using var handle = NoFollowFile.OpenForWrite(path, OpenFlags.O_EXCL, _files.Policy.FileModeBits);
                _files.Policy.ApplyToNewFile(handle);
                var errno = FileDescriptor.TryWriteAll(handle, line);
                if (errno != 0)
                {
                    _ = Libc.Unlink(path);
                    throw Errors.ForPath(errno, path, "write the presence file");
                }

                return name;
            }
            catch (IOException) when (attempt < 8 && Path.Exists(path))
            {
                // Taken: try the next number.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new RegistryException($"Could not create the presence file '{path}' that router lock files are links of: {ex.Message}", ex);
            }
        }
    }

    /// <summary>
    /// Removes the presence files of dead processes of this pid namespace; files of other namespaces cannot be
    /// judged from here and stay. Never fails the caller.
    /// </summary>
    private void RemoveThoseOfDeadProcesses()
    {
        try
        {
            foreach (var path in Directory.EnumerateFiles(_files.LockDirectory, NamePrefix + "*"))
            {
                if (TryParseName(Path.GetFileName(path)) is { } creator && creator.HasExited())
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

    /// <summary>The creator a presence file's name (<c>.presence-PID-STARTTIME-PIDNSINODE-N</c>) gives, or <see langword="null"/>.</summary>
    private static ProcessIdentity? TryParseName(string fileName)
    {
        var identity = fileName[NamePrefix.Length..];
        var counter = identity.LastIndexOf('-');
        return counter > 0 && ProcessIdentity.TryParseFileNameForm(identity[..counter], out var creator) ? creator : null;
    }
}
