using System.Text.Json.Serialization.Metadata;

namespace Tsim.Registry;

/// <summary>One of the registry's JSON files: its name in the registry directory and how to (de)serialise it.</summary>
internal sealed record RegistryFile<T>(string FileName, JsonTypeInfo<T> TypeInfo)
    where T : class, new();

/// <summary>The three files of the specification.</summary>
internal static class RegistryFiles
{
    internal static readonly RegistryFile<Dictionary<string, HostRecord>> Hosts =
        new("hosts.json", RegistryJsonContext.Default.DictionaryStringHostRecord);

    internal static readonly RegistryFile<Dictionary<string, HostLeaseEntry>> HostLeases =
        new("host_leases.json", RegistryJsonContext.Default.DictionaryStringHostLeaseEntry);

    internal static readonly RegistryFile<Dictionary<string, NeighborLeaseEntry>> NeighborLeases =
        new("neighbor_leases.json", RegistryJsonContext.Default.DictionaryStringNeighborLeaseEntry);
}
