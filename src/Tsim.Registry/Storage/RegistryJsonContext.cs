using System.Text.Json.Serialization;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Storage;

/// <summary>
/// Source-generated serialisation of every file the library writes: no reflection, no cold-start JIT of
/// serialisers, trim safe. Compact output: Python reads it as well as its own indented files.
/// </summary>
/// <remarks>
/// <see cref="RegistryJsonDepth.Read"/> levels, for reading and for writing back: the serialiser's default, 64, refused
/// files Python writes and reads, and counts from the host when a host is formatted on its own
/// (<see cref="HostRecord.MemberJson"/>), one level fewer than the file.
/// </remarks>
[JsonSourceGenerationOptions(
    WriteIndented = false,
    AllowTrailingCommas = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    MaxDepth = RegistryJsonDepth.Read)]
[JsonSerializable(typeof(Dictionary<string, HostRecord>))]
[JsonSerializable(typeof(Dictionary<string, HostLeaseEntry>))]
[JsonSerializable(typeof(Dictionary<string, NeighborLeaseEntry>))]
[JsonSerializable(typeof(OwnerRecord))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
