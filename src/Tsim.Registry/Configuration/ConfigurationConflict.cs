namespace Tsim.Registry.Configuration;

/// <summary>One setting that a configuration document gives in two places with two different values.</summary>
/// <param name="Key">The first place, as a configuration path (<c>data_dir</c>).</param>
/// <param name="Value">Its value.</param>
/// <param name="OtherKey">The second place (<c>registry_manager:registry_dir</c>).</param>
/// <param name="OtherValue">Its value.</param>
internal sealed record ConfigurationConflict(string Key, string Value, string OtherKey, string OtherValue)
{
    /// <summary>Gets the validation message: both places, both values, and what to do.</summary>
    internal string Message =>
        $"the configuration gives '{Key}' = '{Value}' and '{OtherKey}' = '{OtherValue}'; they name the same setting. " +
        $"Remove one of them, or give both the same value.";
}
