using Microsoft.Extensions.Options;
using Tsim.Registry.Configuration;
using Tsim.Registry.Locking;

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

        if (options.SemaphorePrefix is { } prefix && LockName.CheckPrefix(prefix) is { } prefixError)
        {
            builder.AddError(error: prefixError, propertyName: nameof(RegistryManagerOptions.SemaphorePrefix));
        }

        foreach (var (propertyName, error) in RegistryFileNameRules.Check(options))
        {
            builder.AddError(error: error, propertyName: propertyName);
        }
        foreach (var error in options.ConfigurationErrors)
        {
            builder.AddError(error: error.Message, propertyName: error.Key);
        }

        if (!Enum.IsDefined(options.IpCollisionScope))
        {
            builder.AddError(
                error: $"must be {nameof(IpCollisionScope.Global)} or {nameof(IpCollisionScope.Router)} (got {(int)options.IpCollisionScope}).",
                propertyName: nameof(RegistryManagerOptions.IpCollisionScope));
        }

        return builder.Build();
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
