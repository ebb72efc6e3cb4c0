using Microsoft.Extensions.Configuration;

namespace Tsim.Registry.Configuration;

/// <summary>
/// Binds <see cref="RegistryManagerOptions"/> from a configuration in any of the shapes a user may hold: a
/// <c>registry_manager</c> section, a whole document in the specification's shape, or a tsim deployment's
/// <c>config.json</c> (top-level <c>data_dir</c>, <c>lock_dir</c> and <c>registry_files</c>). The rules are documented on
/// <see cref="RegistryManagerOptions.FromConfiguration"/>. What cannot be bound as it stands is collected in
/// <see cref="RegistryManagerOptions.ConfigurationErrors"/> for validation to refuse, so that every problem of a
/// document is reported at once and no setting is silently dropped.
/// </summary>
internal static class RegistryConfiguration
{
    /// <summary>The section of a document that holds the manager's settings, in the specification and in tsim.</summary>
    internal const string SectionKey = "registry_manager";

    /// <summary>tsim's top-level registry directory; with <see cref="RegistryFilesKey"/> it makes a document a tsim document.</summary>
    internal const string DataDirectoryKey = "data_dir";

    internal const string LockDirectoryKey = "lock_dir";

    internal const string RegistryDirectoryKey = "registry_dir";

    internal const string RegistryFilesKey = "registry_files";

    internal const string IpCollisionScopeKey = "ip_collision_scope";

    private const string HostsKey = "hosts";
    private const string HostLeasesKey = "host_leases";
    private const string NeighborLeasesKey = "neighbor_leases";

    /// <summary>
    /// Keys of the <c>registry_manager</c> section that tsim's <c>config.json</c> does not have at its top level: found
    /// there, they were meant for the section and would otherwise be ignored.
    /// </summary>
    private static readonly string[] s_sectionOnlyKeys =
        [RegistryDirectoryKey, IpCollisionScopeKey, "semaphore_prefix", "group", "lock_probe_interval", "shared_with_python"];

    /// <summary>Binds <paramref name="configuration"/> (a document or a section) onto <paramref name="options"/>.</summary>
    internal static void Bind(IConfiguration configuration, RegistryManagerOptions options)
    {
        var errors = options.ConfigurationErrors;
        var isTsimDocument = configuration[DataDirectoryKey] is not null && configuration.GetSection(RegistryFilesKey).Exists();
        var section = configuration.GetSection(SectionKey);
        if (!isTsimDocument && !section.Exists())
        {
            BindSection(configuration, options, defaultScope: IpCollisionScope.Global);
            return; // A registry_manager section on its own.
        }

        if (!isTsimDocument)
        {
            BindSection(section, options, defaultScope: IpCollisionScope.Global);
            if (configuration[DataDirectoryKey] is not null)
            {
                errors.Add(StrayDataDirectory(PathOf(configuration, DataDirectoryKey)));
            }

            return; // The specification's document: everything is in its section.
        }

        // A tsim document: the section, then tsim's top-level keys, then tsim's defaults where neither says anything.
        BindSection(section, options, defaultScope: IpCollisionScope.Router);
        foreach (var key in s_sectionOnlyKeys)
        {
            if (configuration[key] is not null)
            {
                errors.Add(new(key, $"is a key of the '{SectionKey}' section, not of the top level of tsim's config.json, where it would be ignored; move it into '{SectionKey}'."));
            }
        }

        options.RegistryDirectory = Merge(errors, configuration, DataDirectoryKey, section, RegistryDirectoryKey, SameDirectory);
        if (configuration[LockDirectoryKey] is not null)
        {
            options.LockDirectory = Merge(errors, configuration, LockDirectoryKey, section, LockDirectoryKey, SameDirectory);
        }
        else if (section[LockDirectoryKey] is not null)
        {
            // tsim reads its lock directory only at the top level: the two sides would lock in different directories.
            errors.Add(new(
                PathOf(section, LockDirectoryKey),
                $"is not where tsim reads its lock directory: in tsim's config.json it is the top-level '{LockDirectoryKey}'. Move it there."));
        }

        var files = configuration.GetSection(RegistryFilesKey);
        var sectionFiles = section.GetSection(RegistryFilesKey);
        var directory = options.RegistryDirectory;
        options.RegistryFiles.Hosts = InDirectory(MergeFile(errors, files, sectionFiles, HostsKey), directory) ?? RegistryFileNames.TsimHosts;
        options.RegistryFiles.HostLeases = InDirectory(MergeFile(errors, files, sectionFiles, HostLeasesKey), directory) ?? RegistryFileNames.DefaultHostLeases;
        options.RegistryFiles.NeighborLeases = InDirectory(MergeFile(errors, files, sectionFiles, NeighborLeasesKey), directory) ?? RegistryFileNames.DefaultNeighborLeases;
    }

    /// <summary>
    /// Binds a <c>registry_manager</c> section, then reads what the binder would get wrong: the IP scope (the binder
    /// takes numbers, flag combinations and an empty string for enum values) and a <c>data_dir</c> inside the section
    /// (tsim's key for the registry directory, which only its config.json's top level has).
    /// </summary>
    private static void BindSection(IConfiguration section, RegistryManagerOptions options, IpCollisionScope defaultScope)
    {
        section.Bind(options);
        options.IpCollisionScope = section[IpCollisionScopeKey] switch
        {
            null => defaultScope,
            { } value when value.Equals("global", StringComparison.OrdinalIgnoreCase) => IpCollisionScope.Global,
            { } value when value.Equals("router", StringComparison.OrdinalIgnoreCase) => IpCollisionScope.Router,
            { } value => Refuse(options, PathOf(section, IpCollisionScopeKey), $"must be 'global' or 'router' (got '{value}').", defaultScope),
        };

        if (section[DataDirectoryKey] is not null)
        {
            options.ConfigurationErrors.Add(StrayDataDirectory(PathOf(section, DataDirectoryKey)));
        }
    }

    /// <summary>A <c>data_dir</c> outside a tsim document: dropping it would silently put the registry elsewhere.</summary>
    private static ConfigurationError StrayDataDirectory(string key) => new(
        key,
        $"is tsim's registry directory, read only at the top level of a tsim config.json, which also has a top-level '{RegistryFilesKey}' " +
        $"(tsim requires both). Add '{RegistryFilesKey}', give the directory as '{SectionKey}:{RegistryDirectoryKey}', or, if this data_dir is not " +
        $"meant for the registry (an environment variable DATA_DIR), bind the '{SectionKey}' section alone.");

    private static T Refuse<T>(RegistryManagerOptions options, string key, string message, T fallback)
    {
        options.ConfigurationErrors.Add(new(key, message));
        return fallback;
    }

    private static string PathOf(IConfiguration configuration, string key) =>
        configuration is IConfigurationSection { Path: { Length: > 0 } path } ? $"{path}:{key}" : key;

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
    private static string? MergeFile(List<ConfigurationError> errors, IConfigurationSection files, IConfigurationSection sectionFiles, string key) =>
        files[key] is not null
            ? Merge(errors, files, key, sectionFiles, key, SameFile)
            : sectionFiles[key];

    /// <summary>
    /// The top-level value of <paramref name="key"/>, recording a conflict when the section gives the same setting
    /// another value. Both keys are named by their full configuration path.
    /// </summary>
    private static string Merge(
        List<ConfigurationError> errors, IConfiguration document, string key, IConfigurationSection section, string sectionKey, Func<string, string, bool> same)
    {
        var topLevel = document[key]!;
        if (section[sectionKey] is { } inSection && !same(topLevel, inSection))
        {
            errors.Add(ConfigurationError.Conflict(PathOf(document, key), topLevel, PathOf(section, sectionKey), inSection));
        }

        return topLevel;
    }

    private static bool SameDirectory(string a, string b) => string.Equals(Normalize(a), Normalize(b), StringComparison.Ordinal);

    /// <summary>tsim keeps only the file name of an entry, so two entries with one file name name the same file.</summary>
    private static bool SameFile(string a, string b) => string.Equals(Path.GetFileName(a), Path.GetFileName(b), StringComparison.Ordinal);

    private static string Normalize(string path) =>
        Path.IsPathFullyQualified(path) ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)) : path;
}
