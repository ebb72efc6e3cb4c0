namespace Tsim.Registry.Configuration;

/// <summary>
/// Something a configuration document says that cannot be bound as it stands: a setting given twice with two values,
/// a key in the wrong place, a value the binder would take for something else. Validation refuses options that carry
/// one, naming the key.
/// </summary>
/// <param name="Key">The configuration path of the key (<c>data_dir</c>, <c>registry_manager:ip_collision_scope</c>).</param>
/// <param name="Message">What is wrong and what to do.</param>
internal sealed record ConfigurationError(string Key, string Message)
{
    /// <summary>The same setting in two places with two values; either may be the one the operator meant.</summary>
    internal static ConfigurationError Conflict(string key, string value, string otherKey, string otherValue) =>
        new(key, $"the configuration gives '{key}' = '{value}' and '{otherKey}' = '{otherValue}'; they name the same setting. " +
            "Remove one of them, or give both the same value.");
}
