namespace Tsim.Registry.Locking;

/// <summary>
/// Wakes waiters when a lock may have been released: a router release (C# and Python alike) touches
/// <c>router_NAME_notify</c>, and a C# release of a router shared with Python also deletes its lock file.
/// Releases that clear a record slot instead (registry locks, routers not shared with Python) make no event of
/// their own; registry-lock waiters see them at their next probe. One inotify instance (FileSystemWatcher) per
/// manager serves every waiter, created on first use: each instance counts against
/// <c>fs.inotify.max_user_instances</c> (128 by default).
/// </summary>
internal sealed class LockReleaseWatcher : IDisposable
{
    private readonly string _lockDirectory;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<TaskCompletionSource>> _waiters = new(StringComparer.Ordinal);
    private FileSystemWatcher? _watcher;
    private bool _disposed;

    internal LockReleaseWatcher(string lockDirectory) => _lockDirectory = lockDirectory;

    /// <summary>
    /// Returns a subscription whose task completes at the next change of any of <paramref name="fileNames"/>.
    /// Subscribe before checking the lock, so that a release between the check and the wait is not missed.
    /// </summary>
    internal Subscription Subscribe(params string[] fileNames)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            EnsureStarted();
            foreach (var fileName in fileNames)
            {
                if (!_waiters.TryGetValue(fileName, out var set))
                {
                    set = [];
                    _waiters.Add(fileName, set);
                }

                set.Add(completion);
            }
        }

        return new Subscription(this, completion, fileNames);
    }

    /// <summary>Wakes every waiter now, as if its files had changed: it re-checks (a disposed manager's waiters give up).</summary>
    internal void WakeAll()
    {
        lock (_gate)
        {
            WakeAllLocked();
        }
    }

    /// <summary>Stops watching and wakes every waiter; later subscriptions throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        FileSystemWatcher? watcher;
        lock (_gate)
        {
            _disposed = true;
            watcher = _watcher;
            _watcher = null;
            WakeAllLocked();
        }

        watcher?.Dispose();
    }

    private void EnsureStarted()
    {
        if (_watcher is not null)
        {
            return;
        }

        var watcher = new FileSystemWatcher(_lockDirectory)
        {
            // Attributes: touch (utime) of an existing notify file is IN_ATTRIB; FileName: create/delete/rename.
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Attributes,
            IncludeSubdirectories = false,
        };
        watcher.Changed += (_, e) => Wake(e.Name);
        watcher.Created += (_, e) => Wake(e.Name);
        watcher.Deleted += (_, e) => Wake(e.Name);
        watcher.Renamed += (_, e) => Wake(e.Name);

        // An overflowed queue loses events, and a watcher whose directory was removed goes silent for good: wake
        // everyone (they re-check the semaphore) and start a fresh watcher at the next subscription.
        watcher.Error += (sender, _) =>
        {
            lock (_gate)
            {
                if (ReferenceEquals(_watcher, sender))
                {
                    _watcher = null;
                    ((FileSystemWatcher)sender).Dispose();
                }

                WakeAllLocked();
            }
        };

        try
        {
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
        }
        catch (IOException)
        {
            // No inotify instance to be had (fs.inotify.max_user_instances reached) or the directory is gone: waiters
            // still wake at their probe interval, just later. The next subscription tries again.
            watcher.Dispose();
        }
    }

    private void Wake(string? fileName)
    {
        if (fileName is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_waiters.Remove(fileName, out var set))
            {
                foreach (var completion in set)
                {
                    completion.TrySetResult();
                }
            }
        }
    }

    private void WakeAllLocked()
    {
        foreach (var set in _waiters.Values)
        {
            foreach (var completion in set)
            {
                completion.TrySetResult();
            }
        }

        _waiters.Clear();
    }

    private void Unsubscribe(TaskCompletionSource completion, string[] fileNames)
    {
        lock (_gate)
        {
            foreach (var fileName in fileNames)
            {
                if (_waiters.TryGetValue(fileName, out var set) && set.Remove(completion) && set.Count == 0)
                {
                    _waiters.Remove(fileName);
                }
            }
        }
    }

    /// <summary>A pending wake-up; dispose it when done waiting.</summary>
    internal sealed class Subscription : IDisposable
    {
        private readonly LockReleaseWatcher _owner;
        private readonly TaskCompletionSource _completion;
        private readonly string[] _fileNames;

        internal Subscription(LockReleaseWatcher owner, TaskCompletionSource completion, string[] fileNames)
        {
            _owner = owner;
            _completion = completion;
            _fileNames = fileNames;
        }

        /// <summary>Gets a task that completes when one of the files changes.</summary>
        internal Task Changed => _completion.Task;

        public void Dispose() => _owner.Unsubscribe(_completion, _fileNames);
    }
}
