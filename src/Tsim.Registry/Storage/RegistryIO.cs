using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Interop;
using Tsim.Registry.Security;

namespace Tsim.Registry.Storage;

/// <summary>
/// Reads and writes the registry's JSON files so that no reader ever sees a half-written file and no corrupt file
/// is ever overwritten. Callers hold the file's lock around a read-modify-write.
/// </summary>
internal sealed class RegistryIO
{
    private readonly string _directory;
    private readonly AccessPolicy _policy;

    /// <summary>The object each file last parsed to or was written from, with the identity of that version of the file.</summary>
    private readonly ConcurrentDictionary<string, ParsedFile> _parsed = new(StringComparer.Ordinal);

    /// <summary>One reused serialisation buffer per file: a write never allocates a new array for the whole document.</summary>
    private readonly ConcurrentDictionary<string, SerializationBuffer> _buffers = new(StringComparer.Ordinal);

    /// <summary>Numbers the temporary files of this process (no random numbers: Guid.NewGuid reads /dev/urandom).</summary>
    private static long s_tempCounter;
    private readonly int _attempts;
    private readonly TimeSpan _retryDelay;
    private readonly ILogger _logger;

    internal RegistryIO(string directory, int attempts, TimeSpan retryDelay, ILogger logger, AccessPolicy? policy = null)
    {
        _directory = directory;
        _policy = policy ?? AccessPolicy.Private;
        _attempts = attempts;
        _retryDelay = retryDelay;
        _logger = logger;
    }

    internal string Directory => _directory;

    internal string PathOf<T>(RegistryFile<T> file)
        where T : class, new() => Path.Combine(_directory, file.FileName);

    /// <summary>Reads a file; a file that does not exist reads as empty.</summary>
    /// <exception cref="RegistryCorruptionException">The file does not parse; it is left as it is.</exception>
    /// <exception cref="RegistryException">The file could not be read after every attempt.</exception>
    internal T Read<T>(RegistryFile<T> file)
        where T : class, new()
    {
        var path = PathOf(file);
        var bytes = WithRetries(path, "read", () => NoFollowFile.TryReadAllBytes(path));

        var data = bytes is null ? new T() : Parse(file, path, bytes);
        file.Observe?.Invoke(_directory, data);
        return data;
    }

    /// <summary>
    /// Replaces a file atomically: a unique temporary file in the same directory, created exclusively, written,
    /// fsync'ed, renamed over the target, then the directory fsync'ed so that the rename itself is durable.
    /// </summary>
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
                identity = WithRetries(path, "write", () => WriteAtomically(path, bytes));
            }
            catch
            {
                _parsed.TryRemove(file.FileName, out _); // The caller's object may hold changes the file does not.
                throw;
            }

            if (identity is { } written)
            {
                _parsed[file.FileName] = new ParsedFile(written, data);
            }
            else
            {
                _parsed.TryRemove(file.FileName, out _);
            }

            file.Observe?.Invoke(_directory, data);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                _logger.RegistryFileWritten(file.FileName, bytes.Length, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
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

    /// <summary>Reads, applies <paramref name="update"/> and writes back. The update may throw to abort: nothing is written.</summary>
    internal TResult Update<T, TResult>(RegistryFile<T> file, Func<T, TResult> update)
        where T : class, new()
    {
        var data = ReadLocked(file);
        TResult result;
        try
        {
            result = update(data);
        }
        catch
        {
            _parsed.TryRemove(file.FileName, out _); // It may have changed the cached object half way.
            throw;
        }

        Write(file, data);
        return result;
    }

    /// <summary>
    /// Reads a file for a caller that holds the file's registry lock and may change the result and write it back.
    /// When the file is still the very version this manager last parsed or wrote (same <see cref="FileIdentity"/>:
    /// inode, size and time stamps), the object it parsed to is returned again without reading the file at all.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Every writer of the registry, C# or Python, replaces a file by renaming a new one over it, which gives it a new
    /// inode; so another writer's change is always noticed, even one that keeps the size. A rewrite in place is
    /// noticed by its new size or time stamps (nanosecond resolution on tmpfs and on ext4 with this kernel).
    /// </para>
    /// <para>
    /// Only for callers holding the lock: the returned object is shared with the next such caller, which the lock
    /// serialises, and a caller that changes it must write it back (or have its update throw, which drops it).
    /// Lock-free readers use <see cref="Read{T}"/>, which always parses a private copy.
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

        var (bytes, identity) = WithRetries(path, "read", () => NoFollowFile.TryReadAllBytesWithIdentity(path));
        var data = bytes is null ? new T() : Parse(file, path, bytes);
        if (identity is { } readIdentity)
        {
            _parsed[file.FileName] = new ParsedFile(readIdentity, data);
        }
        else
        {
            _parsed.TryRemove(file.FileName, out _);
        }

        file.Observe?.Invoke(_directory, data);
        return data;
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
        var stem = $"{path}.corrupt-{utcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture)}";
        return WithRetries(path, "move aside", () =>
        {
            for (var n = 1; ; n++)
            {
                var target = n == 1 ? stem : FormattableString.Invariant($"{stem}-{n}");
                // Path.Exists follows links; LinkTarget also sees a dangling one.
                if (Path.Exists(target) || new FileInfo(target).LinkTarget is not null)
                {
                    continue;
                }

                // rename(2) within one directory: the file (or a symlink planted under its name) moves as it is.
                File.Move(path, target, overwrite: false);
                SyncDirectory();
                return target;
            }
        });
    }

    private T Parse<T>(RegistryFile<T> file, string path, byte[] bytes)
        where T : class, new()
    {
        T? data;
        try
        {
            data = file.ReadFrom is { } read ? read(bytes) : JsonSerializer.Deserialize(bytes, file.TypeInfo);
        }
        catch (JsonException ex)
        {
            _logger.RegistryFileCorrupt(path, ex.LineNumber + 1, ex.BytePositionInLine + 1, ex);
            throw new RegistryCorruptionException(
                $"Registry file '{path}' is corrupt at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {ex.Message} It was left untouched; move it aside to continue.",
                ex)
            {
                FilePath = path,
                LineNumber = ex.LineNumber,
                BytePositionInLine = ex.BytePositionInLine,
            };
        }

        if (data is null)
        {
            var (line, byteInLine) = FirstTokenPosition(bytes);
            throw new RegistryCorruptionException(
                $"Registry file '{path}' is corrupt at line {line + 1}, byte {byteInLine + 1}: its top level is null, not a JSON object. It was left untouched; move it aside to continue.")
            {
                FilePath = path,
                LineNumber = line,
                BytePositionInLine = byteInLine,
            };
        }

        if (file.FindNullEntry(data) is { } problem)
        {
            // Parses, but every operation on it would fail with a NullReferenceException: corrupt all the same.
            throw new RegistryCorruptionException(
                $"Registry file '{path}' is corrupt: {problem}. It was left untouched; move it aside to continue.")
            {
                FilePath = path,
            };
        }

        return data;
    }

    /// <summary>Zero-based line and byte-in-line of the first JSON token (the document parsed, so there is one).</summary>
    private static (long Line, long BytePositionInLine) FirstTokenPosition(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        var offset = reader.Read() ? (int)reader.TokenStartIndex : 0;
        var lineStart = Array.LastIndexOf(bytes, (byte)'\n', Math.Max(0, offset - 1), offset) + 1;
        var line = bytes.AsSpan(0, offset).Count((byte)'\n');
        return (line, offset - lineStart);
    }

    /// <returns>The identity of the file now at <paramref name="path"/>, taken after the rename (which changes its ctime).</returns>
    private FileIdentity? WriteAtomically(string path, ReadOnlyMemory<byte> bytes)
    {
        // Unique per process (pid) and call (counter), created with O_EXCL: concurrent writers never share a temporary
        // file, and an existing file or symlink of that name (say, left by a crashed process that had this pid) is
        // refused rather than followed; the retry then takes the next number.
        var temp = Path.Combine(_directory, FormattableString.Invariant($".{Path.GetFileName(path)}.{Environment.ProcessId}.{Interlocked.Increment(ref s_tempCounter)}.tmp"));
        FileIdentity? identity;
        try
        {
            using var handle = NoFollowFile.OpenForWrite(temp, Interop.OpenFlags.O_EXCL, _policy.FileModeBits);
            _policy.ApplyToNewFile(handle);
            WriteAll(handle, temp, bytes.Span);
            if (Interop.Libc.FSync(handle) != 0)
            {
                throw new IOException(Errors.ForPath(Marshal.GetLastPInvokeError(), temp, "fsync").Message);
            }

            if (Interop.Libc.Rename(temp, path) != 0)
            {
                throw new IOException(Errors.ForPath(Marshal.GetLastPInvokeError(), path, "rename a new version over").Message);
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

    /// <summary>write(2) until every byte is written, retrying on EINTR.</summary>
    private static unsafe void WriteAll(SafeFileHandle handle, string path, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            var written = 0;
            while (written < bytes.Length)
            {
                var result = Interop.Libc.Write(handle, start + written, (nuint)(bytes.Length - written));
                if (result < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Interop.Errno.EINTR)
                    {
                        continue;
                    }

                    throw new IOException(errno == Interop.Errno.EFBIG
                        ? $"Could not write '{path}': File too large (EFBIG: a file size limit or quota was reached)."
                        : Errors.ForPath(errno, path, "write").Message);
                }

                written += (int)result;
            }
        }
    }

    private void SyncDirectory()
    {
        // On tmpfs this is a no-op; on a real disk it makes the rename survive a power cut.
        using SafeFileHandle directory = Interop.Libc.Open(_directory, Interop.OpenFlags.O_RDONLY | Interop.OpenFlags.O_DIRECTORY | Interop.OpenFlags.O_CLOEXEC, 0);
        if (directory.IsInvalid)
        {
            throw new IOException(Errors.ForPath(Marshal.GetLastPInvokeError(), _directory, "open the registry directory to fsync").Message);
        }

        if (Interop.Libc.FSync(directory) != 0)
        {
            throw new IOException(Errors.ForPath(Marshal.GetLastPInvokeError(), _directory, "fsync the registry directory").Message);
        }
    }

    private TResult WithRetries<TResult>(string path, string operation, Func<TResult> action)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return action();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (attempt >= _attempts)
                {
                    throw new RegistryException(
                        $"Could not {operation} registry file '{path}' after {attempt} attempt(s): {ex.Message}", ex);
                }

                _logger.RegistryIoRetry(path, operation, attempt, _attempts, ex);
                Thread.Sleep(_retryDelay);
            }
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

    /// <summary>A version of a file and the object it parses to.</summary>
    private sealed record ParsedFile(FileIdentity Identity, object Data);
}
