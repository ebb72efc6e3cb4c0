using System.Text;

namespace Tsim.Registry.Configuration;

/// <summary>
/// The rules for <see cref="RegistryManagerOptions.RegistryFiles"/>: each entry names a file of its own in the registry
/// directory, and no writer (this library's, Python's) can mistake one registry file for another or for a lock file.
/// </summary>
internal static class RegistryFileNameRules
{
    /// <summary>Python writes each registry file through <c>Path(file).with_suffix('.tmp')</c>.</summary>
    private const string PythonTempExtension = ".tmp";

    /// <summary>The notify files of the lock directory are <c>router_NAME_notify</c> (LockName.NotifyFileName).</summary>
    private const string NotifyPrefix = "router_";

    /// <summary>Checks the three entries; yields the property and the message of each rule broken.</summary>
    internal static IEnumerable<(string PropertyName, string Error)> Check(RegistryManagerOptions options)
    {
        if (options.RegistryFiles is not { } files)
        {
            yield return (nameof(RegistryManagerOptions.RegistryFiles), "is required.");
            yield break;
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var pythonTemps = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (entry, property) in (IEnumerable<(string?, string)>)[
            (files.Hosts, nameof(RegistryFileNames.Hosts)),
            (files.HostLeases, nameof(RegistryFileNames.HostLeases)),
            (files.NeighborLeases, nameof(RegistryFileNames.NeighborLeases))])
        {
            var propertyName = $"{nameof(RegistryManagerOptions.RegistryFiles)}.{property}";
            if (EntryError(entry, options) is { } error)
            {
                yield return (propertyName, error);
                continue;
            }

            var name = Path.GetFileName(entry!);
            var pythonTemp = Path.ChangeExtension(name, PythonTempExtension);
            if (!names.TryAdd(name, propertyName))
            {
                yield return (propertyName, $"names the same file as {names[name]} ('{name}'); each registry file must be its own.");
            }
            else if (!pythonTemps.TryAdd(pythonTemp, propertyName))
            {
                yield return (propertyName,
                    $"('{name}') shares Python's temporary file '{pythonTemp}' with {pythonTemps[pythonTemp]}: Python writes a file through " +
                    "its name with the extension replaced by .tmp, so two writers under different locks would write one file. Give the files different stems.");
            }
        }

        if (options.EnableTransactionLog && options.TransactionLogPath is { } log && Path.IsPathFullyQualified(log) &&
            names.Keys.Any(name => SamePath(log, Path.Combine(options.RegistryDirectory ?? string.Empty, name))))
        {
            yield return (nameof(RegistryManagerOptions.TransactionLogPath), $"is a registry file ('{log}'); give the transaction log a file of its own.");
        }
    }

    private static string? EntryError(string? entry, RegistryManagerOptions options)
    {
        if (string.IsNullOrEmpty(entry) || entry.Any(char.IsControl))
        {
            return $"must be a file name without control characters (got '{NameRules.Printable(entry ?? string.Empty)}').";
        }

        var name = Path.GetFileName(entry);
        if (!string.Equals(name, entry, StringComparison.Ordinal) &&
            !(Path.IsPathFullyQualified(entry) && IsRegistryDirectory(Path.GetDirectoryName(Path.GetFullPath(entry)), options)))
        {
            return $"must be a file name, or a path in the registry directory '{options.RegistryDirectory}' (got '{entry}'). " +
                $"Registry files always live in the registry directory, where tsim too would look for '{name}': give the file name alone.";
        }

        if (name.Length == 0 || name.StartsWith('.'))
        {
            return $"must be a file name that does not start with '.' (got '{entry}'); hidden names are the library's temporary files.";
        }

        if (name.EndsWith(PythonTempExtension, StringComparison.Ordinal))
        {
            return $"must not end in '{PythonTempExtension}' (got '{name}'): Python writes every registry file through such a temporary file, so it would write this one in place.";
        }

        if (Encoding.UTF8.GetByteCount(name) > RegistryFileNames.MaxLength)
        {
            return $"must be at most {RegistryFileNames.MaxLength} bytes long (got {Encoding.UTF8.GetByteCount(name)}).";
        }

        var lockDirectory = options.EffectiveLockDirectory;
        if (SamePath(Path.Combine(options.RegistryDirectory ?? string.Empty, name), lockDirectory))
        {
            return $"is the lock directory's name ('{name}'); give the file another name.";
        }

        return IsRegistryDirectory(lockDirectory, options) &&
            (name.StartsWith(options.SemaphorePrefix + "-", StringComparison.Ordinal) || name.StartsWith(NotifyPrefix, StringComparison.Ordinal))
            ? $"('{name}') could be a lock file: the lock directory is the registry directory, where owner records are named " +
              $"'{options.SemaphorePrefix}-…' and notify files '{NotifyPrefix}…'. Give the file another name, or the locks a directory of their own."
            : null;
    }

    private static bool IsRegistryDirectory(string? directory, RegistryManagerOptions options) =>
        directory is not null && options.RegistryDirectory is { } registry && SamePath(directory, registry);

    /// <summary>Whether two absolute paths name the same place once normalised; false for anything else (the other rules report it).</summary>
    private static bool SamePath(string a, string b) =>
        Path.IsPathFullyQualified(a) && Path.IsPathFullyQualified(b) && !a.Contains('\0', StringComparison.Ordinal) && !b.Contains('\0', StringComparison.Ordinal) &&
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);
}
