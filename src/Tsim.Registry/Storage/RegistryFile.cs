using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json.Serialization.Metadata;

namespace Tsim.Registry.Storage;

/// <summary>
/// One of the registry's JSON files: its name in the registry directory, how to (de)serialise it, and how to find an
/// entry that parses but cannot be used (a <c>null</c> host or lease), described for the corruption message.
/// </summary>
/// <remarks>
/// The serialiser's metadata is built on the file's first use, not when the manager is built: a process that only
/// registers hosts never builds the leases' (building it is a first-use cost of each file's types, in JIT and time).
/// </remarks>
internal sealed record RegistryFile<T>(string FileName, Func<JsonTypeInfo<T>> TypeInfoOf, Func<T, string?> FindNullEntry)
    where T : class, new()
{
    /// <summary>Gets the serialiser's metadata of the file's type (built once per process by the generated context).</summary>
    internal JsonTypeInfo<T> TypeInfo => TypeInfoOf();

    /// <summary>
    /// Gets a faster way to write the file than the serialiser's, producing the same bytes as the serialiser with the
    /// type's options and the given encoder (the serialiser is used when it is not set).
    /// </summary>
    internal Action<IBufferWriter<byte>, T, JavaScriptEncoder?>? WriteTo { get; init; }

    /// <summary>
    /// Gets a parser to use instead of the serialiser's, giving the same result and throwing the same exceptions (the
    /// serialiser is used when it is not set).
    /// </summary>
    internal Func<byte[], T?>? ReadFrom { get; init; }

    /// <summary>
    /// The same file under the configured name: an entry of <see cref="RegistryFileNames"/>, of which only the file name
    /// counts (validation has made sure that a path names the registry directory).
    /// </summary>
    internal RegistryFile<T> Named(string entry) => this with { FileName = Path.GetFileName(entry) };
}

/// <summary>The three files, under the specification's names (<see cref="RegistryFile{T}.Named"/> renames them).</summary>
internal static class RegistryFiles
{
    internal static readonly RegistryFile<Dictionary<string, HostRecord>> Hosts =
        new("hosts.json", static () => RegistryJsonContext.Default.DictionaryStringHostRecord, static hosts =>
            hosts.FirstOrDefault(p => p.Value is null).Key is { } key ? $"host '{key}' is null" : null)
        {
            WriteTo = HostsJson.Write,
            ReadFrom = HostsJson.Read,
        };

    internal static readonly RegistryFile<Dictionary<string, HostLeaseEntry>> HostLeases =
        new("host_leases.json", static () => RegistryJsonContext.Default.DictionaryStringHostLeaseEntry, static leases =>
            FindNullLease(leases, static e => e.Leases));

    internal static readonly RegistryFile<Dictionary<string, NeighborLeaseEntry>> NeighborLeases =
        new("neighbor_leases.json", static () => RegistryJsonContext.Default.DictionaryStringNeighborLeaseEntry, static leases =>
            FindNullLease(leases, static e => e.Leases));

    private static string? FindNullLease<TEntry, TRecord>(Dictionary<string, TEntry> entries, Func<TEntry, List<TRecord>?> leasesOf)
        where TEntry : class
        where TRecord : class
    {
        foreach (var (key, entry) in entries)
        {
            if (entry is null)
            {
                return $"entry '{key}' is null";
            }

            var leases = leasesOf(entry);
            if (leases is null || leases.Contains(null!))
            {
                return $"entry '{key}' has a null lease list or a null lease";
            }
        }

        return null;
    }
}
