using System.CommandLine.Parsing;
using System.Globalization;

namespace Tsim.Registry.Cli.Commands;

/// <summary>One <c>--lock-timeout KEY=SEC</c>: a key of the specification's <c>lock_timeouts</c> section and its seconds.</summary>
internal readonly record struct LockTimeoutSetting(string Key, double Seconds)
{
    /// <summary>The keys of the specification's <c>lock_timeouts</c> section, in its order.</summary>
    internal static readonly IReadOnlyList<string> Keys =
        ["host_registry", "host_leases", "router_lock", "router_lock_atomic", "neighbor_leases"];

    /// <summary>Sets the matching property; the key was checked when parsing.</summary>
    internal void ApplyTo(RegistryLockTimeouts timeouts)
    {
        switch (Key)
        {
            case "host_registry":
                timeouts.HostRegistrySeconds = Seconds;
                break;
            case "host_leases":
                timeouts.HostLeasesSeconds = Seconds;
                break;
            case "router_lock":
                timeouts.RouterLockSeconds = Seconds;
                break;
            case "router_lock_atomic":
                timeouts.RouterLockAtomicSeconds = Seconds;
                break;
            case "neighbor_leases":
                timeouts.NeighborLeasesSeconds = Seconds;
                break;
            default:
                throw new InvalidOperationException($"Unknown lock timeout key '{Key}' passed the parser.");
        }
    }

    /// <summary>
    /// Parses every occurrence of the option. A malformed one is a usage error (exit 2), reported by the parser
    /// before any manager is built; the range of the seconds is left to the options validator.
    /// </summary>
    internal static IReadOnlyList<LockTimeoutSetting> ParseAll(ArgumentResult result)
    {
        var settings = new List<LockTimeoutSetting>(result.Tokens.Count);
        foreach (var token in result.Tokens)
        {
            if (TryParse(token.Value, out var setting, out var problem))
            {
                settings.Add(setting);
            }
            else
            {
                result.AddError($"--lock-timeout {problem} (got '{token.Value}').");
            }
        }

        return settings;
    }

    private static bool TryParse(string text, out LockTimeoutSetting setting, out string problem)
    {
        setting = default;
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            problem = "expects KEY=SEC";
            return false;
        }

        var key = text[..equals];
        if (!Keys.Contains(key, StringComparer.Ordinal))
        {
            problem = $"key must be one of {string.Join(", ", Keys)}";
            return false;
        }

        if (!double.TryParse(text[(equals + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            || !double.IsFinite(seconds))
        {
            problem = "seconds must be a number";
            return false;
        }

        setting = new LockTimeoutSetting(key, seconds);
        problem = string.Empty;
        return true;
    }
}
