using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using Tsim.Registry.Locking;
using Tsim.Registry.Storage;

namespace Tsim.Registry.Tests.Infrastructure;

/// <summary>
/// Raw access to an owner record slot file (<c>LOCKDIR/.LOCKNAME.owner</c>) as another process sees it: the 8-byte
/// sequence, the 4-byte record length and the record at offset 16, read and written with plain file I/O (the page
/// cache is what every mapping shares), so tests can plant what a killed writer or a dead holder leaves behind.
/// </summary>
internal static class SlotFile
{
    internal const int HeaderSize = 16;

    internal static long Sequence(string path) => BinaryPrimitives.ReadInt64LittleEndian(File.ReadAllBytes(path).AsSpan(0, 8));

    internal static int Length(string path) => BinaryPrimitives.ReadInt32LittleEndian(File.ReadAllBytes(path).AsSpan(8, 4));

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
}
