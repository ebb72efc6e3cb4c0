using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Security;

namespace Tsim.Registry.Storage;

/// <summary>
/// Reads and writes the registry's JSON files of one directory so that no reader ever sees a half-written file and no
/// corrupt file is ever overwritten, and remembers what each file parsed to, so that a lock holder whose file nobody
/// else changed since does not parse it again. Callers hold the file's registry lock around
/// <see cref="ReadLocked{T}"/>, <see cref="Update{T, TResult}"/>, <see cref="Write{T}"/> and <see cref="Quarantine{T}"/>
/// (<see cref="RegistryDocument{T}"/> does that for them).
/// </summary>
internal sealed class RegistryIO
{
    private readonly string _directory;
    private readonly AtomicFileWriter _writer;
    private readonly IORetry _retry;
    private readonly ILogger _logger;

    /// <summary>The object each file last parsed to or was written from, with the identity of that version of the file.</summary>
    private readonly ConcurrentDictionary<string, ParsedFile> _parsed = new(StringComparer.Ordinal);

    /// <summary>One reused serialisation buffer per file: a write never allocates a new array for the whole document.</summary>
    private readonly ConcurrentDictionary<string, SerializationBuffer> _buffers = new(StringComparer.Ordinal);

    /// <param name="directory">The registry directory.</param>
    /// <param name="attempts">How many times an I/O operation is tried (<see cref="IORetry"/>).</param>
    /// <param name="retryDelay">The pause between two attempts.</param>
    /// <param name="logger">Where retries, corrupt files and unsynced renames are reported.</param>
    /// <param name="policy">The modes new files are created with; private by default.</param>
    /// <param name="directoryFSync">Replaces the directory's fsync(2) (<see cref="AtomicFileWriter.FSyncDirectory"/>): tests only.</param>
    internal RegistryIO(string directory, int attempts, TimeSpan retryDelay, ILogger logger, AccessPolicy? policy = null, Func<SafeFileHandle, int>? directoryFSync = null)
    {
        _directory = directory;
        _writer = directoryFSync is null
            ? new AtomicFileWriter(directory, policy ?? AccessPolicy.Private, logger)
            : new AtomicFileWriter(directory, policy ?? AccessPolicy.Private, logger) { FSyncDirectory = directoryFSync };
        _retry = new IORetry(attempts, retryDelay, logger);
        _logger = logger;
    }

    internal string Directory => _directory;

    internal string PathOf<T>(RegistryFile<T> file)
        where T : class, new() => Path.Combine(_directory, file.FileName);

    /// <summary>Reads a private copy of a file, without a lock; a file that does not exist reads as empty.</summary>
    /// <remarks>Files are only ever replaced by a rename, so the copy is one whole version of the file.</remarks>
    /// <exception cref="RegistryCorruptionException">The file does not parse; it is left as it is.</exception>
    /// <exception cref="RegistryException">The file could not be read after every attempt.</exception>
    internal T Read<T>(RegistryFile<T> file)
        where T : class, new()
    {
        var path = PathOf(file);
        var bytes = _retry.Run(path, "read", () => NoFollowFile.TryReadAllBytes(path));
        return bytes is null ? new T() : RegistryFileParser.Parse(file, path, bytes, _logger);
    }

    /// <summary>
    /// Reads a file for a caller that holds the file's registry lock. When the file is still the very version this
    /// instance last parsed or wrote (same <see cref="FileIdentity"/>: inode, size and time stamps), the object it parsed
    /// to is returned again without reading the file at all.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Every writer of the registry, C# or Python, replaces a file by renaming a new one over it, which gives it a new
    /// inode; so another writer's change is always noticed, even one that keeps the size. A rewrite in place is
    /// noticed by its new size or time stamps (nanosecond resolution on tmpfs and on ext4 with this kernel).
    /// </para>
    /// <para>
    /// The returned object is shared with the next lock holder, so a caller must not change it except through
    /// <see cref="Update{T, TResult}"/>, which writes it back or drops it.
    /// </para>
    /// </remarks>
    internal T ReadLocked<T>(RegistryFile<T> file)
        where T : class, new()
    {
        var path = PathOf(file);
        if (_parsed.TryGetValue(file.FileName, out var cached) && FileIdentity.Of(path) == cached.Identity)
        {
            return (T)cached.Data;
        }

        var (bytes, identity) = _retry.Run(path, "read", () => NoFollowFile.TryReadAllBytesWithIdentity(path));
        var data = bytes is null ? new T() : RegistryFileParser.Parse(file, path, bytes, _logger);
        Remember(file, identity, data);
        return data;
    }

    /// <summary>
    /// The one read-modify-write: reads through the cache, runs <paramref name="change"/>, and writes the document back
    /// when the change says it changed it. A change that throws aborts: nothing is written, and the cached object,
    /// which it may have changed half way, is dropped.
    /// </summary>
    /// <exception cref="RegistryCorruptionException">The file does not parse; nothing is written.</exception>
    /// <exception cref="RegistryException">The file could not be read or written; the previous content is intact.</exception>
    internal TResult Update<T, TResult>(RegistryFile<T> file, Func<T, Edit<TResult>> change)
        where T : class, new()
    {
        var data = ReadLocked(file);
        Edit<TResult> edit;
        try
        {
            edit = change(data);
        }
        catch
        {
            _parsed.TryRemove(file.FileName, out _);
            throw;
        }

        if (edit.Changed)
        {
            Write(file, data);
        }

        return edit.Result;
    }

    /// <summary>Replaces a file atomically (see <see cref="AtomicFileWriter"/>) and remembers what it was written from.</summary>
    /// <exception cref="RegistryException">The file could not be written; the previous content is intact.</exception>
    internal void Write<T>(RegistryFile<T> file, T data)
        where T : class, new()
    {
        var path = PathOf(file);
        var buffer = _buffers.GetOrAdd(file.FileName, static _ => new SerializationBuffer());

        // Writers of one file hold its registry lock; the monitor only keeps the buffer safe from a caller that does not.
        lock (buffer)
        {
            var start = Stopwatch.GetTimestamp();
            ReadOnlyMemory<byte> bytes;
            FileIdentity? identity;
            try
            {
                bytes = Serialize(buffer, file, path, data);
                identity = _retry.Run(path, "write", () => _writer.Replace(path, bytes.Span));
            }
            catch
            {
                _parsed.TryRemove(file.FileName, out _); // The caller's object may hold changes the file does not.
                throw;
            }

            Remember(file, identity, data);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                _logger.RegistryFileWritten(file.FileName, bytes.Length, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
    }

    /// <summary>
    /// Renames a file (judged corrupt by the caller, who holds its lock) to <c>FILE.corrupt-yyyyMMddTHHmmssZ</c> beside
    /// it, never replacing an earlier one of the same second (<c>-2</c>, <c>-3</c>, … are appended), then fsyncs the
    /// directory.
    /// </summary>
    /// <returns>The new path.</returns>
    /// <exception cref="RegistryException">The file could not be renamed.</exception>
    internal string Quarantine<T>(RegistryFile<T> file, DateTimeOffset utcNow)
        where T : class, new()
    {
        var path = PathOf(file);
        var stem = $"{path}.corrupt-{utcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        _parsed.TryRemove(file.FileName, out _);
        return _retry.Run(path, "move aside", () =>
        {
            for (var n = 1; ; n++)
            {
                var target = n == 1 ? stem : FormattableString.Invariant($"{stem}-{n}");
                // Path.Exists follows links; LinkTarget also sees a dangling one.
                if (Path.Exists(target) || new FileInfo(target).LinkTarget is not null)
                {
                    continue;
                }

                // rename(2) within one directory: the file (or a symlink planted under its name) moves as it is. Once it
                // has moved, a failed directory fsync is only logged: retrying would find the file gone.
                File.Move(path, target, overwrite: false);
                _writer.SyncDirectoryAfterRename(target);
                return target;
            }
        });
    }

    /// <exception cref="RegistryException">The content cannot be written as JSON (another writer left a value that does
    /// not round-trip, such as a lone UTF-16 surrogate in a string).</exception>
    private static ReadOnlyMemory<byte> Serialize<T>(SerializationBuffer buffer, RegistryFile<T> file, string path, T data)
        where T : class, new()
    {
        try
        {
            return buffer.Serialize(data, file.TypeInfo, file.WriteTo);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new RegistryException(
                $"Could not write registry file '{path}': its content cannot be written as JSON ({ex.Message}). Nothing was written; the file is as it was.",
                ex);
        }
    }

    private void Remember<T>(RegistryFile<T> file, FileIdentity? identity, T data)
        where T : class, new()
    {
        if (identity is { } known)
        {
            _parsed[file.FileName] = new ParsedFile(known, data);
        }
        else
        {
            _parsed.TryRemove(file.FileName, out _);
        }
    }

    /// <summary>A version of a file and the object it parses to.</summary>
    private sealed record ParsedFile(FileIdentity Identity, object Data);
}
