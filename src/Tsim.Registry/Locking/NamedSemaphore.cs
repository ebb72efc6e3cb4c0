using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Interop;
using Tsim.Registry.Security;

namespace Tsim.Registry.Locking;

/// <summary>
/// A glibc named POSIX semaphore (<c>/dev/shm/sem.NAME</c>) used as a cross-process mutex: value 1 = free, 0 = held.
/// </summary>
/// <remarks>
/// Opened and mapped by this class, not by sem_open(3): sem_open maps whatever the name points to and gives no
/// descriptor to judge, so a check by path afterwards can be raced (a squatter's semaphore, unlinked right after the
/// open, looks like "nothing to judge"). Here the file is opened with O_NOFOLLOW, judged with statx on that
/// descriptor, and that descriptor is mapped. The memory is the same sem_t sem_open maps, so C# and Python processes
/// share the semaphore as before. The descriptor stays open for the instance's lifetime: the gate and the
/// shared-with-Python mark are locks on this very file (NamedSemaphore.Gate.cs).
/// </remarks>
internal sealed partial class NamedSemaphore : IDisposable
{
    private readonly SafeSemaphoreHandle _handle;
    private readonly SafeFileHandle _file;

    private NamedSemaphore(string name, SafeSemaphoreHandle handle, SafeFileHandle file, in Interop.Statx status)
    {
        Name = name;
        _handle = handle;
        _file = file;
        Instance = string.Create(
            CultureInfo.InvariantCulture,
            $"{status.DevMajor}:{status.DevMinor}:{status.Ino}:{status.BTime.TvSec}.{status.BTime.TvNsec:D9}");
    }

    /// <summary>Gets the semaphore name, with its leading '/'.</summary>
    internal string Name { get; }

    /// <summary>
    /// Gets which file this is: device, inode and birth time of <c>/dev/shm/sem.NAME</c> as opened. A semaphore removed
    /// and created anew under the same name is another instance; owner records name the instance they were written
    /// for, so that a record of an old instance never makes a recovery post the new one.
    /// </summary>
    internal string Instance { get; }

    /// <summary>Opens the semaphore, creating it free (value 1) when it does not exist yet.</summary>
    /// <param name="name">The name, with its leading '/'.</param>
    /// <param name="mode">The permission bits of a new semaphore (0600, or 0660 in group mode), whatever the umask.</param>
    /// <param name="groupId">The group of a new semaphore, or <see langword="null"/> for the process's own.</param>
    /// <param name="policy">Judges the file before it is mapped, and explains a refusal to open it; or <see langword="null"/>.</param>
    /// <param name="created">Whether this call created it.</param>
    /// <exception cref="RegistryException">It cannot be opened or created, or the policy refused it; the message says why.</exception>
    internal static NamedSemaphore OpenOrCreate(string name, uint mode, uint? groupId, AccessPolicy? policy, out bool created)
    {
        while (true)
        {
            if (TryOpenExisting(name, policy) is { } existing)
            {
                created = false;
                return existing;
            }

            // Whoever links first creates it; everyone else opens it, which is what the Python implementation does too.
            created = TryCreate(name, mode, groupId);
            if (TryOpenExisting(name, policy) is { } opened)
            {
                return opened;
            }

            // Unlinked between the link and the open: try again.
        }
    }

    /// <summary>Opens the semaphore, creating it free with mode 0600 if needed, without any check.</summary>
    internal static NamedSemaphore OpenOrCreate(string name) => OpenOrCreate(name, 0b110_000_000, null, null, out _);

    /// <summary>Opens an existing semaphore, or returns <see langword="null"/> when there is none.</summary>
    /// <param name="name">The name, with its leading '/'.</param>
    /// <param name="policy">
    /// Judges the file before it is mapped (<see cref="AccessPolicy.VerifySemaphore"/>) and explains a refusal to open it;
    /// <see langword="null"/> maps it unjudged (diagnostics).
    /// </param>
    /// <exception cref="RegistryException">It cannot be opened, is not a semaphore file, or the policy refused it.</exception>
    internal static NamedSemaphore? TryOpenExisting(string name, AccessPolicy? policy = null)
    {
        CheckName(name);
        var path = SemaphoreFiles.PathOf(name);

        // O_NONBLOCK: a FIFO planted under the name must fail the checks below, not block the open.
        var file = Interop.Libc.Open(
            path, Interop.OpenFlags.O_RDWR | Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_CLOEXEC | Interop.OpenFlags.O_NONBLOCK, 0);
        if (file.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            file.Dispose();
            return errno switch
            {
                Interop.Errno.ENOENT => null,
                Interop.Errno.ELOOP => throw new RegistryException(
                    $"Semaphore '{path}' is a symbolic link; semaphores are never opened through links. Remove the link; the next acquire creates the semaphore."),
                Interop.Errno.EACCES or Interop.Errno.EPERM when policy is not null =>
                    throw policy.ExplainUnopenableSemaphore(name, Errors.ForSemaphore(errno, name, "open")) ?? Errors.ForSemaphore(errno, name, "open"),
                _ => throw Errors.ForSemaphore(errno, name, "open"),
            };
        }

        try
        {
            return Map(name, path, file, policy);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Judges the opened file and maps it; the instance then owns <paramref name="file"/>.</summary>
    private static NamedSemaphore Map(string name, string path, SafeFileHandle file, AccessPolicy? policy)
    {
        if (Interop.Libc.Statx(file, string.Empty, Interop.StatxConstants.AT_EMPTY_PATH, Interop.StatxConstants.STATX_BASIC_STATS | Interop.StatxConstants.STATX_BTIME, out var status) != 0)
        {
            throw Errors.ForSemaphore(Marshal.GetLastPInvokeError(), name, "inspect");
        }

        if ((status.Mode & Interop.StatxConstants.S_IFMT) != Interop.StatxConstants.S_IFREG || status.Size < (ulong)Interop.Libc.SemaphoreSize)
        {
            throw new RegistryException(
                $"'{path}' is not a semaphore: a named semaphore is a regular file of at least {Interop.Libc.SemaphoreSize} bytes, this is {Describe(status)}. " +
                $"Make sure no job runner is using it, then remove it ('rm {path}'); the next acquire creates the semaphore.");
        }

        policy?.VerifySemaphore(name, file, status);
        var mapping = Interop.Libc.Mmap(0, Interop.Libc.SemaphoreSize, Interop.MmapFlags.PROT_READ | Interop.MmapFlags.PROT_WRITE, Interop.MmapFlags.MAP_SHARED, file, 0);
        if (mapping == Interop.MmapFlags.MAP_FAILED)
        {
            throw Errors.ForSemaphore(Marshal.GetLastPInvokeError(), name, "map");
        }

        return new NamedSemaphore(name, new SafeSemaphoreHandle(mapping), file, status);
    }

    /// <summary>
    /// Creates the semaphore the way sem_open(3) does, but with its mode and group set before it gets its name: a file
    /// under a private temporary name, initialised, given its group and mode, then linked to its public name. So no
    /// other process ever sees it with the umask's mode or this user's group (another member would be refused, or a
    /// stranger let in, for that moment).
    /// </summary>
    /// <returns>Whether this call created it; <see langword="false"/> when the name was taken first.</returns>
    private static unsafe bool TryCreate(string name, uint mode, uint? groupId)
    {
        Span<byte> semaphore = stackalloc byte[Interop.Libc.SemaphoreSize];
        fixed (byte* start = semaphore)
        {
            if (Interop.Libc.SemInit(start, 1, 1) != 0)
            {
                throw Errors.ForSemaphore(Marshal.GetLastPInvokeError(), name, "initialise");
            }
        }

        return TryPublish(name, semaphore, mode, groupId);
    }

    /// <summary>
    /// Publishes a file under a semaphore's name (<c>/dev/shm/sem.NAME</c>) with exactly this content, mode and group,
    /// the way a semaphore is created: prepared under a private temporary name, then linked to its public name, so that
    /// nobody ever sees it half written or with the umask's mode.
    /// </summary>
    /// <returns>Whether this call published it; <see langword="false"/> when the name was taken first.</returns>
    /// <exception cref="RegistryException">The file could not be prepared or linked.</exception>
    internal static bool TryPublish(string name, ReadOnlySpan<byte> content, uint mode, uint? groupId)
    {
        var path = SemaphoreFiles.PathOf(name);
        var (temp, file) = CreateTemporaryFile(name);
        using (var handle = file)
        {
            try
            {
                var errno = FileDescriptor.TryWriteAll(handle, content);
                if (errno == 0 && groupId is { } group && Interop.Libc.FChown(handle, uint.MaxValue, group) != 0)
                {
                    errno = Marshal.GetLastPInvokeError();
                }

                if (errno != 0)
                {
                    throw Errors.ForSemaphore(errno, name, "create");
                }

                File.SetUnixFileMode(handle, (UnixFileMode)mode);
            }
            catch
            {
                File.Delete(temp);
                throw;
            }
        }

        try
        {
            if (Interop.Libc.Link(temp, path) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno == Interop.Errno.EEXIST ? false : throw Errors.ForSemaphore(errno, name, "create");
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Removes the name; processes that have it open keep using it. Returns false when it did not exist.</summary>
    internal static bool Unlink(string name)
    {
        if (Interop.Libc.SemUnlink(name) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Interop.Errno.ENOENT ? false : throw Errors.ForSemaphore(errno, name, "unlink");
    }

    /// <summary>Decrements the semaphore if it is free, without blocking.</summary>
    internal bool TryWait()
    {
        while (true)
        {
            if (Interop.Libc.SemTryWait(_handle) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case Interop.Errno.EAGAIN:
                    return false;
                case Interop.Errno.EINTR:
                    continue;
                default:
                    throw Errors.ForSemaphore(errno, Name, "try-wait on");
            }
        }
    }

    /// <summary>
    /// Waits until the semaphore can be decremented or the timeout elapses. A zero timeout is a true try-lock.
    /// </summary>
    internal bool Wait(LockTimeout timeout)
    {
        if (timeout.IsZero)
        {
            return TryWait();
        }

        // The deadline is absolute on CLOCK_MONOTONIC, so wall-clock jumps do not stretch or cut the wait, and a
        // wait interrupted by a signal (EINTR: the runtime's own SIGCONT handler does this) resumes with exactly
        // the time that is left.
        var deadline = timeout.IsInfinite ? MonotonicDeadline(TimeSpan.FromDays(365)) : MonotonicDeadline(timeout.TimeSpan);
        while (true)
        {
            if (Interop.Libc.SemClockWait(_handle, Interop.ClockIds.CLOCK_MONOTONIC, in deadline) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case Interop.Errno.ETIMEDOUT:
                    if (timeout.IsInfinite)
                    {
                        deadline = MonotonicDeadline(TimeSpan.FromDays(365));
                        continue;
                    }

                    return false;
                case Interop.Errno.EINTR:
                    continue;
                default:
                    throw Errors.ForSemaphore(errno, Name, "wait on");
            }
        }
    }

    /// <summary>Increments the semaphore, waking one waiter.</summary>
    internal void Post()
    {
        if (Interop.Libc.SemPost(_handle) != 0)
        {
            throw Errors.ForSemaphore(Marshal.GetLastPInvokeError(), Name, "post");
        }
    }

    /// <summary>Gets the current value: 1 = free, 0 = held; above 1 means mutual exclusion was broken by a stray post.</summary>
    internal int GetValue()
    {
        if (Interop.Libc.SemGetValue(_handle, out var value) != 0)
        {
            throw Errors.ForSemaphore(Marshal.GetLastPInvokeError(), Name, "read the value of");
        }

        return value;
    }

    /// <summary>Closes this process's handle; the semaphore itself stays (see <see cref="Unlink"/>).</summary>
    public void Dispose()
    {
        _handle.Dispose();
        _file.Dispose(); // Drops this instance's gate and mark, if it has them.
    }

    /// <summary>Creates the private file a new semaphore is prepared in; a random name taken already is retried.</summary>
    private static (string Path, SafeFileHandle File) CreateTemporaryFile(string name)
    {
        for (var attempt = 0; ; attempt++)
        {
            var temp = SemaphoreFiles.TemporaryPath();
            var file = Interop.Libc.Open(
                temp, Interop.OpenFlags.O_RDWR | Interop.OpenFlags.O_CREAT | Interop.OpenFlags.O_EXCL | Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_CLOEXEC, 0b110_000_000);
            if (!file.IsInvalid)
            {
                return (temp, file);
            }

            var errno = Marshal.GetLastPInvokeError();
            file.Dispose();
            if (errno != Interop.Errno.EEXIST || attempt == 100)
            {
                throw Errors.ForSemaphore(errno, name, "create");
            }
        }
    }

    /// <summary>
    /// What sem_open(3) refuses with EINVAL or ENAMETOOLONG: a name is '/' and then one file name that fits
    /// <c>sem.NAME</c> in NAME_MAX. Checked here because the file is opened by path, where a '/' would lead elsewhere.
    /// </summary>
    private static void CheckName(string name)
    {
        if (name.Length < 2 || name[0] != '/' || name.IndexOf('/', 1) >= 0 || name.Contains('\0', StringComparison.Ordinal) ||
            System.Text.Encoding.UTF8.GetByteCount(name) - 1 > SemaphoreFiles.MaxNameLength)
        {
            throw new RegistryException(
                $"Could not open semaphore '{name}': The semaphore name is not valid ('/' followed by at most {SemaphoreFiles.MaxNameLength} bytes without '/').");
        }
    }

    private static string Describe(in Interop.Statx status) => (status.Mode & Interop.StatxConstants.S_IFMT) switch
    {
        Interop.StatxConstants.S_IFREG => string.Create(CultureInfo.InvariantCulture, $"a file of {status.Size} bytes"),
        Interop.StatxConstants.S_IFDIR => "a directory",
        _ => "a special file (FIFO, socket or device)",
    };

    private static Interop.Timespec MonotonicDeadline(TimeSpan fromNow)
    {
        _ = Interop.Libc.ClockGetTime(Interop.ClockIds.CLOCK_MONOTONIC, out var now);
        var totalNs = now.TvNsec + ((long)fromNow.TotalMilliseconds * 1_000_000);
        return new Interop.Timespec
        {
            TvSec = now.TvSec + (totalNs / Interop.Timespec.NanosecondsPerSecond),
            TvNsec = totalNs % Interop.Timespec.NanosecondsPerSecond,
        };
    }
}
