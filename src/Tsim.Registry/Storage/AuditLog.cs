using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Tsim.Registry.Diagnostics;
using Tsim.Registry.Security;

namespace Tsim.Registry.Storage;

/// <summary>
/// The specification's transaction log: one JSON object per line, <c>{"timestamp": …, "operation": …, "details": {…}}</c>,
/// appended with O_APPEND in a single write(2) so that lines of concurrent processes never interleave.
/// </summary>
internal sealed class AuditLog : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    private AuditLog(SafeFileHandle handle, string path, ILogger logger, TimeProvider timeProvider)
    {
        _handle = handle;
        _path = path;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    /// <summary>Opens (creating if needed) the log for appending.</summary>
    /// <exception cref="RegistryException">The log cannot be opened for writing; the message says why.</exception>
    internal static AuditLog Open(string path, ILogger logger, TimeProvider timeProvider, AccessPolicy? policy = null)
    {
        // 0600 for a new log (0660 in group mode): it names hosts and jobs.
        policy ??= AccessPolicy.Private;
        var handle = Interop.Libc.Open(
            path,
            Interop.OpenFlags.O_WRONLY | Interop.OpenFlags.O_APPEND | Interop.OpenFlags.O_CREAT | Interop.OpenFlags.O_NOFOLLOW | Interop.OpenFlags.O_CLOEXEC,
            policy.FileModeBits);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw new RegistryException(
                $"The transaction log '{path}' cannot be opened for appending: {Interop.Errors.Reason(errno)}. " +
                "Create its directory and make it writable, or set enable_transaction_log to false.");
        }

        policy.ApplyToNewFile(handle);
        return new AuditLog(handle, path, logger, timeProvider);
    }

    /// <summary>Appends one entry. A failure is logged, not thrown: the operation it records has already happened.</summary>
    internal void Append(string operation, Action<Utf8JsonWriter> writeDetails)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("timestamp"u8, (_timeProvider.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond);
            writer.WriteString("operation"u8, operation);
            writer.WriteStartObject("details"u8);
            writeDetails(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        WriteAll(buffer.WrittenSpan, operation);
    }

    /// <summary>Closes the log.</summary>
    public void Dispose() => _handle.Dispose();

    private void WriteAll(ReadOnlySpan<byte> line, string operation)
    {
        // O_APPEND makes one write(2) of the line one atomic append. A short write only happens when the file system
        // fills up or a size limit is reached part way; the rest of the line is then tried (never the whole line again,
        // which would duplicate its start), and the failure that follows is logged.
        var errno = Interop.FileDescriptor.TryWriteAll(_handle, line);
        if (errno != 0)
        {
            _logger.TransactionLogWriteFailed(_path, operation, Interop.Errors.Reason(errno));
        }
    }
}
