using Microsoft.Extensions.Configuration;

namespace Tsim.Registry.Configuration;

/// <summary>
/// Binds <see cref="RegistryManagerOptions"/> from a configuration in any of the shapes a user may hold: a
/// <c>registry_manager</c> section, a whole document in the specification's shape, or a tsim deployment's
/// <c>config.json</c> (top-level <c>data_dir</c>, <c>lock_dir</c> and <c>registry_files</c>). The rules are documented on
/// <see cref="RegistryManagerOptions.FromConfiguration"/>.
/// </summary>
internal static class RegistryConfiguration
{
    /// <summary>The section of a document that holds the manager's settings, in the specification and in tsim.</summary>
    internal const string SectionKey = "registry_manager";

    /// <summary>tsim's top-level registry directory; its presence makes a document a tsim document.</summary>
    internal const string DataDirectoryKey = "data_dir";

    internal const string LockDirectoryKey = "lock_dir";

    internal const string RegistryDirectoryKey = "registry_dir";

    internal const string RegistryFilesKey = "registry_files";

    internal const string IpCollisionScopeKey = "ip_collision_scope";

    private const string HostsKey = "hosts";
    private const string HostLeasesKey = "host_leases";
    private const string NeighborLeasesKey = "neighbor_leases";

    /// <summary>Binds <paramref name="configuration"/> (a document or a section) onto <paramref name="options"/>.</summary>
    internal static void Bind(IConfiguration configuration, RegistryManagerOptions options)
    {
        var section = configuration.GetSection(SectionKey);
        var dataDirectory = configuration[DataDirectoryKey];
        if (!section.Exists() && dataDirectory is null)
        {
            configuration.Bind(options); // A registry_manager section on its own.
            return;
        }

        section.Bind(options);
        if (dataDirectory is null)
        {
            return; // The specification's document: everything is in its section.
        }

        // A tsim document: its top-level keys, then tsim's defaults where neither place says anything.
        options.RegistryDirectory = Merge(options.ConfigurationConflicts, DataDirectoryKey, dataDirectory, section, RegistryDirectoryKey, SameDirectory);
        if (configuration[LockDirectoryKey] is { } lockDirectory)
        {
            options.LockDirectory = Merge(options.ConfigurationConflicts, LockDirectoryKey, lockDirectory, section, LockDirectoryKey, SameDirectory);
        }

        var files = configuration.GetSection(RegistryFilesKey);
        var sectionFiles = section.GetSection(RegistryFilesKey);
        var directory = options.RegistryDirectory;
        options.RegistryFiles.Hosts = InDirectory(MergeFile(options, files, sectionFiles, HostsKey), directory) ?? RegistryFileNames.TsimHosts;
        options.RegistryFiles.HostLeases = InDirectory(MergeFile(options, files, sectionFiles, HostLeasesKey), directory) ?? RegistryFileNames.DefaultHostLeases;
        options.RegistryFiles.NeighborLeases = InDirectory(MergeFile(options, files, sectionFiles, NeighborLeasesKey), directory) ?? RegistryFileNames.DefaultNeighborLeases;

        if (section[IpCollisionScopeKey] is null)
        {
            options.IpCollisionScope = IpCollisionScope.Router;
        }
    }

    /// <summary>
    /// tsim's spelling of an entry, a path in <c>data_dir</c>, as the file name alone, so that the document keeps meaning
    /// the same files when the registry directory is overridden (<c>--registry-dir</c>). A path elsewhere is kept, for
    /// validation to refuse: tsim would use the file of that name in <c>data_dir</c>, not the one the entry names.
    /// </summary>
    private static string? InDirectory(string? entry, string directory) =>
        entry is not null && Path.IsPathFullyQualified(entry) && Path.IsPathFullyQualified(directory) &&
        string.Equals(Path.GetDirectoryName(Path.GetFullPath(entry)), Normalize(directory), StringComparison.Ordinal)
            ? Path.GetFileName(entry)
            : entry;

    /// <summary>A registry file entry from the top level or the section (which must agree), or null when neither has one.</summary>
    private static string? MergeFile(RegistryManagerOptions options, IConfigurationSection files, IConfigurationSection sectionFiles, string key) =>
        files[key] is { } topLevel
            ? Merge(options.ConfigurationConflicts, $"{RegistryFilesKey}:{key}", topLevel, sectionFiles, key, SameFile)
            : sectionFiles[key];

    /// <summary>
    /// The top-level value, recording a conflict when the section gives the same setting another value. Both are named
    /// in the conflict: the operator may have edited either.
    /// </summary>
    private static string Merge(
        List<ConfigurationConflict> conflicts, string topLevelKey, string topLevel, IConfigurationSection section, string sectionKey, Func<string, string, bool> same)
    {
        if (section[sectionKey] is { } inSection && !same(topLevel, inSection))
        {
            conflicts.Add(new ConfigurationConflict(topLevelKey, topLevel, $"{section.Path}:{sectionKey}", inSection));
        }

        return topLevel;
    }

    private static bool SameDirectory(string a, string b) => string.Equals(Normalize(a), Normalize(b), StringComparison.Ordinal);

    /// <summary>tsim keeps only the file name of an entry, so two entries with one file name name the same file.</summary>
    private static bool SameFile(string a, string b) => string.Equals(Path.GetFileName(a), Path.GetFileName(b), StringComparison.Ordinal);

    private static string Normalize(string path) =>
        Path.IsPathFullyQualified(path) ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)) : path;
}
