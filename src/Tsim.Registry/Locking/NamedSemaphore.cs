using System.Runtime.InteropServices;
using Tsim.Registry.Interop;

namespace Tsim.Registry.Locking;

/// <summary>
/// A glibc named POSIX semaphore (<c>/dev/shm/sem.NAME</c>) used as a cross-process mutex: value 1 = free, 0 = held.
/// </summary>
internal sealed class NamedSemaphore : IDisposable
{
    private readonly SafeSemaphoreHandle _handle;

    private NamedSemaphore(string name, SafeSemaphoreHandle handle)
    {
        Name = name;
        _handle = handle;
    }

    /// <summary>Gets the semaphore name, with its leading '/'.</summary>
    internal string Name { get; }

    /// <summary>Opens the semaphore, creating it free (value 1) when it does not exist yet.</summary>
    /// <param name="name">The name, with its leading '/'.</param>
    /// <param name="mode">The permission bits of a new semaphore (0600, or 0660 in group mode), whatever the umask.</param>
    /// <param name="groupId">The group of a new semaphore, or <see langword="null"/> for the process's own.</param>
    /// <param name="created">Whether this call created it.</param>
    /// <exception cref="RegistryException">It cannot be opened or created; the message names the semaphore and the reason.</exception>
    internal static NamedSemaphore OpenOrCreate(string name, uint mode, uint? groupId, out bool created)
    {
        while (true)
        {
            if (TryOpenExisting(name) is { } existing)
            {
                created = false;
                return existing;
            }

            // Whoever links first creates it; everyone else opens it, which is what the Python implementation does too.
            created = TryCreate(name, mode, groupId);
            if (TryOpenExisting(name) is { } opened)
            {
                return opened;
            }

            // Unlinked between the link and the open: try again.
        }
    }

    /// <summary>Opens the semaphore, creating it free with mode 0600 if needed.</summary>
    internal static NamedSemaphore OpenOrCreate(string name) => OpenOrCreate(name, 0b110_000_000, null, out _);

    /// <summary>
    /// Creates the semaphore the way sem_open(3) does, but with its mode and group set before it gets its name: a file
    /// under a private temporary name, initialised, given its group and mode, then linked to its public name. So no
    /// other process ever sees it with the umask's mode or this user's group (another member would be refused, or a
    /// stranger let in, for that moment).
    /// </summary>
    /// <returns>Whether this call created it; <see langword="false"/> when the name was taken first.</returns>
    private static unsafe bool TryCreate(string name, uint mode, uint? groupId)
    {
        var path = SemaphoreFiles.PathOf(name);
        var temp = SemaphoreFiles.TemporaryPath();
        using (var handle = Interop.Libc.Open(
            temp, Interop.OpenFlags.O_RDWR | Interop.OpenFlags.O_CREAT | Interop.OpenFlags.O_EXCL | Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_CLOEXEC, 0b110_000_000))
        {
            if (handle.IsInvalid)
            {
                throw Errors.ForSemaphore(Marshal.GetLastPInvokeError(), name, "create");
            }

            try
            {
                Span<byte> semaphore = stackalloc byte[Interop.Libc.SemaphoreSize];
                fixed (byte* start = semaphore)
                {
                    if (Interop.Libc.SemInit(start, 1, 1) != 0)
                    {
                        throw Errors.ForSemaphore(Marshal.GetLastPInvokeError(), name, "initialise");
                    }
                }

                var errno = FileDescriptor.TryWriteAll(handle, semaphore);
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

    /// <summary>Opens an existing semaphore, or returns <see langword="null"/> when there is none.</summary>
    internal static NamedSemaphore? TryOpenExisting(string name)
    {
        var handle = Interop.Libc.SemOpen(name, 0, 0, 0);
        var errno = Marshal.GetLastPInvokeError();
        if (!handle.IsInvalid)
        {
            return new NamedSemaphore(name, handle);
        }

        handle.Dispose();
        return errno == Interop.Errno.ENOENT ? null : throw Errors.ForSemaphore(errno, name, "open");
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
    public void Dispose() => _handle.Dispose();

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
