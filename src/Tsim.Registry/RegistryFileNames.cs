using Microsoft.Extensions.Configuration;

namespace Tsim.Registry;

/// <summary>
/// The names of the three registry files in the registry directory, bound from the <c>registry_files</c> section the way
/// tsim binds it: of each entry only the file name counts, joined with the registry directory.
/// </summary>
/// <remarks>
/// An entry is a bare file name (<c>host_registry.json</c>) or a path inside the registry directory
/// (<c>/dev/shm/tsim/host_registry.json</c>, as tsim's <c>config.json</c> spells it). A path anywhere else is refused
/// when the manager is built: tsim would silently use the file of that name in its data directory instead. Other keys
/// of the section (tsim's <c>routers</c>, <c>interfaces</c>, <c>bridges</c>, <c>services</c>) belong to other parts of
/// tsim and are ignored.
/// </remarks>
public sealed class RegistryFileNames
{
    /// <summary>The specification's hosts file.</summary>
    public const string DefaultHosts = "hosts.json";

    /// <summary>The hosts file of a tsim deployment, where its <c>config.json</c> does not name one.</summary>
    public const string TsimHosts = "host_registry.json";

    /// <summary>The host leases file, in the specification and in tsim.</summary>
    public const string DefaultHostLeases = "host_leases.json";

    /// <summary>The neighbour leases file, in the specification and in tsim.</summary>
    public const string DefaultNeighborLeases = "neighbor_leases.json";

    /// <summary>The longest file name accepted, leaving room in NAME_MAX (255) for the temporary file written next to it.</summary>
    public const int MaxLength = 200;

    /// <summary>Gets or sets the file of the registered hosts.</summary>
    /// <value>Default <c>hosts.json</c>; tsim's is <c>host_registry.json</c>. JSON key <c>hosts</c>.</value>
    [ConfigurationKeyName("hosts")]
    public string Hosts { get; set; } = DefaultHosts;

    /// <summary>Gets or sets the file of the source host leases.</summary>
    /// <value>Default <c>host_leases.json</c>. JSON key <c>host_leases</c>.</value>
    [ConfigurationKeyName("host_leases")]
    public string HostLeases { get; set; } = DefaultHostLeases;

    /// <summary>Gets or sets the file of the neighbour leases.</summary>
    /// <value>Default <c>neighbor_leases.json</c>. JSON key <c>neighbor_leases</c>.</value>
    [ConfigurationKeyName("neighbor_leases")]
    public string NeighborLeases { get; set; } = DefaultNeighborLeases;
}
