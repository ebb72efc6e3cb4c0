using System.Text;
using Microsoft.Extensions.Options;

namespace Tsim.Registry;

/// <summary>Checks the rules of <see cref="RegistryManagerOptions"/> that attributes cannot express.</summary>
internal sealed class RegistryManagerOptionsConsistencyValidator : IValidateOptions<RegistryManagerOptions>
{
    public ValidateOptionsResult Validate(string? name, RegistryManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();

        if (!options.Enabled)
        {
            builder.AddError(
                error: "the registry is disabled (enabled = false); a manager cannot be built from this configuration.",
                propertyName: nameof(RegistryManagerOptions.Enabled));
        }

        CheckAbsolute(builder, options.RegistryDirectory, nameof(RegistryManagerOptions.RegistryDirectory));
        if (options.LockDirectory is not null)
        {
            CheckAbsolute(builder, options.LockDirectory, nameof(RegistryManagerOptions.LockDirectory));
        }

        if (options.EnableTransactionLog)
        {
            if (string.IsNullOrWhiteSpace(options.TransactionLogPath))
            {
                builder.AddError(
                    error: "is required when the transaction log is enabled (enable_transaction_log = true).",
                    propertyName: nameof(RegistryManagerOptions.TransactionLogPath));
            }
            else
            {
                CheckAbsolute(builder, options.TransactionLogPath, nameof(RegistryManagerOptions.TransactionLogPath));
            }
        }

        if (options.SemaphorePrefix is { } prefix &&
            (prefix.Length is 0 or > RegistryManagerOptions.MaxSemaphorePrefixLength || !NameRules.IsSafe(prefix)))
        {
            builder.AddError(
                error: $"must be 1 to {RegistryManagerOptions.MaxSemaphorePrefixLength} characters of {NameRules.AlphabetDescription} (got '{prefix}').",
                propertyName: nameof(RegistryManagerOptions.SemaphorePrefix));
        }

        CheckRegistryFiles(builder, options);
        foreach (var conflict in options.ConfigurationConflicts)
        {
            builder.AddError(error: conflict.Message, propertyName: conflict.Key);
        }

        return builder.Build();
    }

    /// <summary>
    /// Each registry file is a plain file name, or a path in the registry directory (tsim's spelling), and the three are
    /// three different files. A name that would lead elsewhere is refused rather than silently re-rooted.
    /// </summary>
    private static void CheckRegistryFiles(ValidateOptionsResultBuilder builder, RegistryManagerOptions options)
    {
        if (options.RegistryFiles is not { } files)
        {
            builder.AddError(error: "is required.", propertyName: nameof(RegistryManagerOptions.RegistryFiles));
            return;
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (entry, property) in (ReadOnlySpan<(string?, string)>)[
            (files.Hosts, nameof(RegistryFileNames.Hosts)),
            (files.HostLeases, nameof(RegistryFileNames.HostLeases)),
            (files.NeighborLeases, nameof(RegistryFileNames.NeighborLeases))])
        {
            var propertyName = $"{nameof(RegistryManagerOptions.RegistryFiles)}.{property}";
            if (RegistryFileError(entry, options) is { } error)
            {
                builder.AddError(error: error, propertyName: propertyName);
            }
            else if (!seen.TryAdd(Path.GetFileName(entry!), propertyName))
            {
                builder.AddError(
                    error: $"names the same file as {seen[Path.GetFileName(entry!)]} ('{Path.GetFileName(entry)}'); each registry file must be its own.",
                    propertyName: propertyName);
            }
        }
    }

    private static string? RegistryFileError(string? entry, RegistryManagerOptions options)
    {
        if (string.IsNullOrEmpty(entry) || entry.Contains('\0', StringComparison.Ordinal))
        {
            return $"must be a file name (got '{entry}').";
        }

        var name = Path.GetFileName(entry);
        if (!string.Equals(name, entry, StringComparison.Ordinal))
        {
            var directory = options.RegistryDirectory is { } registry && Path.IsPathFullyQualified(registry)
                ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(registry))
                : null;
            var entryDirectory = Path.IsPathFullyQualified(entry) ? Path.GetDirectoryName(Path.GetFullPath(entry)) : null;
            if (directory is null || !string.Equals(entryDirectory, directory, StringComparison.Ordinal))
            {
                return $"must be a file name, or a path in the registry directory '{options.RegistryDirectory}' (got '{entry}'). " +
                    $"Registry files always live in the registry directory, where tsim too would look for '{name}': give the file name alone.";
            }
        }

        if (name.Length == 0 || name.StartsWith('.'))
        {
            return $"must be a file name that does not start with '.' (got '{entry}'); hidden names are the library's temporary files.";
        }

        if (Encoding.UTF8.GetByteCount(name) > RegistryFileNames.MaxLength)
        {
            return $"must be at most {RegistryFileNames.MaxLength} bytes long (got {Encoding.UTF8.GetByteCount(name)}).";
        }

        return string.Equals(Path.Combine(options.RegistryDirectory ?? string.Empty, name), options.EffectiveLockDirectory, StringComparison.Ordinal)
            ? $"is the lock directory's name ('{name}'); give the file another name."
            : null;
    }

    private static void CheckAbsolute(ValidateOptionsResultBuilder builder, string? path, string propertyName)
    {
        if (path is null)
        {
            return; // [Required] reports it.
        }

        if (path.Length == 0 || !Path.IsPathFullyQualified(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            builder.AddError(error: $"must be an absolute path (got '{path}').", propertyName: propertyName);
        }
    }
}
