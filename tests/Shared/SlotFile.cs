using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Tsim.Registry.Locking;
using Tsim.Registry.Security;
using Tsim.Registry.Storage;

namespace Tsim.Registry.TestSupport;

/// <summary>
/// An owner record slot file (<c>LOCKDIR/.LOCKNAME.owner</c>) as another process sees it, for both test projects
/// (each links this file). Reading goes through the library's own reader (<see cref="OwnerRecordSlot"/>, mapped afresh
/// as another process maps it), so no test decodes the layout itself. Only <see cref="WriteRaw"/> knows the layout: it
/// plants what a killed writer or a foreign program leaves behind (an odd sequence, a half-written or garbled record).
/// </summary>
internal static class SlotFile
{
    /// <summary>The bytes before the record: the 8-byte sequence, the 4-byte record length and 4 reserved bytes.</summary>
    internal const int HeaderSize = OwnerRecordSlot.Size - OwnerRecordSlot.MaxRecordLength;

    /// <summary>Reads a consistent copy of the slot, as every reader of the library does.</summary>
    /// <exception cref="FileNotFoundException">There is no slot file.</exception>
    internal static SlotContent Read(string path)
    {
        using var slot = OwnerRecordSlot.Open(path, AccessPolicy.Private, create: false)
            ?? throw new FileNotFoundException("There is no owner record slot.", path);
        return slot.Read();
    }

    /// <summary>The sequence number of the slot (odd while, or since, a writer was in the middle of writing).</summary>
    internal static long Sequence(string path) => Read(path).Sequence;

    /// <summary>The length of the usable record in the slot (0 when it holds none).</summary>
    /// <exception cref="InvalidOperationException">The slot holds an unusable record.</exception>
    internal static int Length(string path) => Usable(path, Read(path)).Record.Length;

    /// <summary>The record's JSON, or <see langword="null"/> when the slot holds none.</summary>
    /// <exception cref="FileNotFoundException">There is no slot file.</exception>
    /// <exception cref="InvalidOperationException">
    /// The slot holds an unusable record (a writer died mid-write, or the length is garbled): never mistaken for "no record".
    /// </exception>
    internal static string? Record(string path) => Usable(path, Read(path)).Record is { Length: > 0 } record ? Encoding.UTF8.GetString(record) : null;

    /// <summary>Overwrites the header (and the record, when given) in place, as a writer of the mapping would.</summary>
    internal static void WriteRaw(string path, long sequence, int length, byte[]? record = null)
    {
        var header = new byte[HeaderSize];
        BinaryPrimitives.WriteInt64LittleEndian(header, sequence);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), length);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
        RandomAccess.Write(handle, header, 0);
        if (record is not null)
        {
            RandomAccess.Write(handle, record, HeaderSize);
        }
    }

    /// <summary>The owner record JSON exactly as the library writes it.</summary>
    internal static byte[] Json(OwnerRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, RegistryJsonContext.Default.OwnerRecord);

    /// <summary>
    /// An owner record of a process that has surely exited: a <c>true</c> process started and reaped here (its pid
    /// is free until the kernel wraps around), with this process's pid namespace so that it is judged, not ignored.
    /// </summary>
    internal static OwnerRecord DeadOwner(string lockName, string jobId = "dead-job")
    {
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not start 'true'");
        exited.WaitForExit();
        return new OwnerRecord
        {
            Lock = lockName,
            JobId = jobId,
            Pid = exited.Id,
            StartTime = 1,
            PidNamespace = ProcessIdentity.Current.PidNamespace,
            AcquiredAt = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>An owner record naming this (live) process.</summary>
    internal static OwnerRecord LiveOwner(string lockName, string jobId) => new()
    {
        Lock = lockName,
        JobId = jobId,
        Pid = ProcessIdentity.Current.Pid,
        StartTime = ProcessIdentity.Current.StartTime,
        PidNamespace = ProcessIdentity.Current.PidNamespace,
        AcquiredAt = DateTimeOffset.UtcNow,
    };

    private static SlotContent Usable(string path, SlotContent content) =>
        content.Usable
            ? content
            : throw new InvalidOperationException($"The owner record slot '{path}' holds an unusable record (sequence {content.Sequence}).");
}
