using System.Buffers.Binary;
using System.Text;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// Reads owner record slots (<c>LOCKDIR/.LOCKNAME.owner</c>: 8-byte sequence, 4-byte length, record at offset 16) the
/// way another process sees them, through the file.
/// </summary>
internal static class SlotRecords
{
    internal static string SlotPath(RegistryFixture registry, string lockSuffix) =>
        Path.Combine(registry.Directory, "locks", $".{registry.Prefix}-{lockSuffix}.owner");

    internal static string CompatibilityFilePath(RegistryFixture registry, string lockSuffix) =>
        Path.Combine(registry.Directory, "locks", $"{registry.Prefix}-{lockSuffix}");

    /// <summary>The record JSON in a slot, or <see langword="null"/> when the slot is missing or empty.</summary>
    internal static string? Record(RegistryFixture registry, string lockSuffix)
    {
        var path = SlotPath(registry, lockSuffix);
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = File.ReadAllBytes(path);
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8, 4));
        return length > 0 ? Encoding.UTF8.GetString(bytes, 16, length) : null;
    }
}
