using Tsim.Registry.Locking;

namespace Tsim.Registry.Storage;

/// <summary>
/// One registry file bound to everything that guards it: its registry lock and that lock's timeout, the I/O that
/// reads it through the identity cache and replaces it atomically, and what to report each time its content is seen.
/// Every read-modify-write of the library goes through <see cref="Update{TResult}"/>; there is no other way to change
/// a registry file.
/// </summary>
/// <typeparam name="T">The parsed document.</typeparam>
internal sealed class RegistryDocument<T>
    where T : class, new()
{
    private readonly RegistryIO _io;
    private readonly RegistryFile<T> _file;
    private readonly LockManager _locks;
    private readonly LockTimeout _timeout;
    private readonly Action<T>? _observe;

    /// <param name="io">The I/O of the registry directory.</param>
    /// <param name="file">The file's name and format.</param>
    /// <param name="locks">The lock manager that holds <paramref name="lockName"/>.</param>
    /// <param name="lockName">The registry lock every writer of this file holds, C# or Python.</param>
    /// <param name="timeout">How long <see cref="Update{TResult}"/> waits for the lock.</param>
    /// <param name="observe">Reports what was read or written (to the metrics' gauges).</param>
    internal RegistryDocument(RegistryIO io, RegistryFile<T> file, LockManager locks, LockName lockName, LockTimeout timeout, Action<T>? observe = null)
    {
        _io = io;
        _file = file;
        _locks = locks;
        LockName = lockName;
        _timeout = timeout;
        _observe = observe;
    }

    /// <summary>Gets the registry lock of the file.</summary>
    internal LockName LockName { get; }

    /// <summary>Gets the file's path.</summary>
    internal string Path => _io.PathOf(_file);

    /// <summary>Reads a private copy without the lock: one whole version of the file (files are replaced by rename).</summary>
    /// <exception cref="RegistryCorruptionException">The file does not parse.</exception>
    /// <exception cref="RegistryException">The file could not be read.</exception>
    internal T Snapshot()
    {
        var data = _io.Read(_file);
        _observe?.Invoke(data);
        return data;
    }

    /// <summary>
    /// Takes the lock, reads the file through the cache, runs <paramref name="change"/>, writes the document back when
    /// it reports a change (a change that throws writes nothing and drops the cached copy), and releases the lock.
    /// </summary>
    /// <remarks>
    /// The lock hold counts as a call in flight of the lock manager: disposing the manager never posts this lock while
    /// the change or the write is still running.
    /// </remarks>
    /// <exception cref="RegistryLockTimeoutException">The lock was not acquired within the configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">The file does not parse; nothing is written.</exception>
    /// <exception cref="RegistryException">The file could not be read or written; the previous content is intact.</exception>
    internal TResult Update<TResult>(Func<T, Edit<TResult>> change)
    {
        using (_locks.AcquireRegistryLock(LockName, _timeout))
        {
            T? seen = null;
            var result = _io.Update(_file, data =>
            {
                seen = data;
                return change(data);
            });
            _observe?.Invoke(seen!);
            return result;
        }
    }

    /// <summary>
    /// Under the lock, runs <paramref name="look"/> on a private copy that is never written back: for a dry run that
    /// changes its copy to report what a real run would do.
    /// </summary>
    /// <remarks>
    /// When the lock's semaphore does not exist, nobody has ever written under it (or it was removed by hand), so there
    /// is no write to wait for: the look runs on a snapshot, and a dry run (<c>status</c>, <c>reap --dry-run</c>) creates
    /// no semaphore. The snapshot is one whole version of the file either way, since files are replaced by rename.
    /// </remarks>
    /// <exception cref="RegistryLockTimeoutException">The lock was not acquired within the configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">The file does not parse.</exception>
    internal TResult Inspect<TResult>(Func<T, TResult> look)
    {
        if (_locks.GetValue(LockName) < 0)
        {
            return look(_io.Read(_file));
        }

        using (_locks.AcquireRegistryLock(LockName, _timeout))
        {
            return look(_io.Read(_file));
        }
    }

    /// <summary>
    /// Under the lock, moves the file aside when it is not JSON at all (see <see cref="RegistryIO.Quarantine{T}"/>), so
    /// that no writer can replace it in between. A file that is JSON is never moved, whatever is wrong with it: other
    /// readers (Python's <c>json.load</c>) may still see every host in it.
    /// </summary>
    /// <returns>What was moved, or <see langword="null"/> when the file parses (or does not exist).</returns>
    /// <exception cref="RegistryLockTimeoutException">The lock was not acquired within the configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">The file is JSON but cannot be used
    /// (<see cref="RegistryCorruptionException.ParsesAsJson"/>); it stays where it is.</exception>
    /// <exception cref="RegistryException">The file could not be read or moved.</exception>
    internal QuarantinedFile? QuarantineIfCorrupt(DateTimeOffset utcNow)
    {
        using (_locks.AcquireRegistryLock(LockName, _timeout))
        {
            try
            {
                _io.Read(_file);
                return null;
            }
            catch (RegistryCorruptionException ex) when (!ex.ParsesAsJson)
            {
                return new QuarantinedFile(Path, _io.Quarantine(_file, utcNow), ex.Message);
            }
        }
    }
}
