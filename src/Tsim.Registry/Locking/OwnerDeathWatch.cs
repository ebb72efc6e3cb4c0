using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Diagnostics;

namespace Tsim.Registry.Locking;

/// <summary>
/// Watches the processes that hold the locks this manager's threads wait for, and recovers a lock the moment its
/// owner is gone, instead of at the waiter's next probe (<see cref="RegistryManagerOptions.LockProbeIntervalSeconds"/>).
/// </summary>
/// <remarks>
/// <para>
/// A waiter about to sleep reads the lock's owner record and calls <see cref="Watch"/>: the owner's process gets a
/// pidfd (pidfd_open(2)), which the kernel makes readable once every thread of that process has exited. One thread per
/// manager polls all of them; when one becomes readable it runs <see cref="LockRecovery.TryRecover"/> for each lock
/// that owner was seen holding, under the usual guard and rules. The recovery posts the semaphore, which wakes the
/// sleeping waiters: a SIGKILLed holder's lock is taken over within milliseconds.
/// </para>
/// <para>
/// Because the pidfd fires only when no thread of the owner can run any more, this is also what frees the locks of a
/// process that exits or is terminated while holding them: it does not post them itself (docs/ARCHITECTURE.md,
/// "Crash safety").
/// </para>
/// <para>
/// Owners are watched per process (pid and start time), not per lock: a job runner that holds many locks costs one
/// descriptor, and an entry lives until its process ends. Owners that cannot be watched (no record, another pid
/// namespace, a pid already reused) are left to the probe, which stays the fallback.
/// </para>
/// </remarks>
internal sealed class OwnerDeathWatch(OwnerRecords records, Action<LockName> recover, ILogger logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(int Pid, long StartTime), Owner> _owners = [];
    private SafeFileHandle? _wake;
    private Thread? _thread;
    private bool _disposed;
    private bool _closeWakeOnExit;

    /// <summary>
    /// Watches the owner the lock's record names, if it is a live process of our pid namespace.
    /// </summary>
    /// <returns><see langword="true"/> when the owner turned out to be gone already: the caller should probe now.</returns>
    internal bool Watch(LockName name)
    {
        if (records.Read(name) is not { } record)
        {
            return false; // No record: a Python holder, or a holder between its wait and its record. The probe covers it.
        }

        var key = (record.Pid, record.StartTime);
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            if (_owners.TryGetValue(key, out var known))
            {
                known.Locks.Add(name);
                return false;
            }
        }

        if (record.Pid <= 0 || !string.Equals(record.PidNamespace, ProcessIdentity.Current.PidNamespace, StringComparison.Ordinal))
        {
            return false; // A pid of another namespace names another process here.
        }

        var pidfd = Interop.Libc.PidfdOpen(record.Pid, 0);
        if (pidfd.IsInvalid)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            pidfd.Dispose();
            return errno == Interop.Errno.ESRCH;
        }

        // The record may be older than the pid's current process: a pidfd of a reused pid would watch a stranger. The
        // pidfd pins the pid, so judging the record now judges the very process the pidfd refers to.
        if (OwnerLivenessCheck.Check(record) is var liveness and not OwnerLiveness.Alive)
        {
            pidfd.Dispose();
            return liveness == OwnerLiveness.Dead;
        }

        lock (_gate)
        {
            if (_disposed || _owners.TryGetValue(key, out var raced))
            {
                pidfd.Dispose();
                if (!_disposed)
                {
                    _owners[key].Locks.Add(name);
                }

                return false;
            }

            _owners.Add(key, new Owner(pidfd, [name]));
            StartOrWake();
        }

        return false;
    }

    /// <summary>Stops the polling thread and closes every descriptor.</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            thread = _thread;
            Signal();
        }

        if (thread is not null && thread != Thread.CurrentThread)
        {
            thread.Join();
        }

        lock (_gate)
        {
            foreach (var owner in _owners.Values)
            {
                owner.PidFd.Dispose();
            }

            _owners.Clear();
            if (thread is null || thread != Thread.CurrentThread)
            {
                _wake?.Dispose();
            }
            else
            {
                _closeWakeOnExit = true;
            }
        }
    }

    private void StartOrWake()
    {
        if (_thread is not null)
        {
            Signal();
            return;
        }

        _wake = Interop.Libc.EventFd(0, Interop.Libc.EFD_CLOEXEC | Interop.Libc.EFD_NONBLOCK);
        if (_wake.IsInvalid)
        {
            throw Interop.Errors.ForPath(System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), "eventfd", "create");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "Tsim.Registry owner watch" };
        _thread.Start();
    }

    /// <summary>Wakes the polling thread to rebuild its set (or to stop). Called under the gate.</summary>
    private void Signal()
    {
        if (_wake is { IsInvalid: false } wake)
        {
            Span<byte> one = stackalloc byte[8];
            one[0] = 1;
            _ = Interop.FileDescriptor.TryWriteAll(wake, one);
        }
    }

    private unsafe void Run()
    {
        var polled = new List<(Interop.PollFd Fd, (int, long) Key)>();
        var fds = Array.Empty<Interop.PollFd>();
        var counter = new byte[8];
        while (true)
        {
            polled.Clear();
            lock (_gate)
            {
                if (_disposed)
                {
                    if (_closeWakeOnExit)
                    {
                        _wake?.Dispose(); // Disposed from this very thread, which Dispose could not join.
                    }

                    return;
                }

                polled.Add((new Interop.PollFd { Fd = (int)_wake!.DangerousGetHandle(), Events = Interop.Libc.POLLIN }, default));
                foreach (var (key, owner) in _owners)
                {
                    polled.Add((new Interop.PollFd { Fd = (int)owner.PidFd.DangerousGetHandle(), Events = Interop.Libc.POLLIN }, key));
                }
            }

            if (fds.Length < polled.Count)
            {
                fds = new Interop.PollFd[polled.Count * 2];
            }

            for (var i = 0; i < polled.Count; i++)
            {
                fds[i] = polled[i].Fd;
            }

            int ready;
            fixed (Interop.PollFd* start = fds)
            {
                ready = Interop.Libc.Poll(start, (nuint)polled.Count, -1);
            }

            if (ready <= 0)
            {
                continue; // EINTR; nothing else can fail with valid descriptors.
            }

            if (fds[0].ReturnedEvents != 0)
            {
                _ = Interop.Libc.Read(_wake!, counter);
            }

            for (var i = 1; i < polled.Count; i++)
            {
                if (fds[i].ReturnedEvents != 0)
                {
                    OnOwnerGone(polled[i].Key);
                }
            }
        }
    }

    private void OnOwnerGone((int Pid, long StartTime) key)
    {
        Owner? owner;
        lock (_gate)
        {
            if (_disposed || !_owners.Remove(key, out owner))
            {
                return;
            }
        }

        owner.PidFd.Dispose();
        foreach (var name in owner.Locks)
        {
            try
            {
                recover(name);
            }
            catch (ObjectDisposedException)
            {
                return; // The manager is being disposed.
            }
            catch (Exception ex) when (ex is RegistryException or IOException)
            {
                // The waiter's own probe tries again; this is only the fast path.
                logger.OwnerWatchRecoveryFailed(name.Value, key.Pid, ex);
            }
        }
    }

    private sealed record Owner(SafeFileHandle PidFd, HashSet<LockName> Locks);
}
