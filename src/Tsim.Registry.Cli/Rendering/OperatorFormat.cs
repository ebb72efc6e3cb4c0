using System.Globalization;
using Spectre.Console;

namespace Tsim.Registry.Cli.Rendering;

/// <summary>The words, times and colours the operator commands share, so that tables and JSON say the same thing.</summary>
internal static class OperatorFormat
{
    /// <summary>An IP collision scope as its configuration value (<c>global</c>, <c>router</c>), which is also what <c>--ip-scope</c> takes.</summary>
    internal static string IpScope(IpCollisionScope scope) => scope == IpCollisionScope.Router ? "router" : "global";

    /// <summary>The owner states as <c>locks</c>, <c>status</c> and their JSON print them.</summary>
    internal static string OwnerState(LockOwnerState state) => state switch
    {
        LockOwnerState.Alive => "alive",
        LockOwnerState.Dead => "dead",
        LockOwnerState.Unknown => "unknown",
        _ => "no-record",
    };

    /// <summary>Green for a live holder, red for a dead one, yellow for one that cannot be judged.</summary>
    internal static Style OwnerStyle(LockOwnerState state) => state switch
    {
        LockOwnerState.Alive => new Style(Color.Green),
        LockOwnerState.Dead => new Style(Color.Red, decoration: Decoration.Bold),
        _ => new Style(Color.Yellow),
    };

    /// <summary>UTC, millisecond precision, ISO 8601: sorts as text and reads the same on every host.</summary>
    internal static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "-";

    internal static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";

    /// <summary>Unix seconds with millisecond precision, as <see cref="RegistryJson"/> writes every registry time.</summary>
    internal static double UnixSeconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Adds a Unix-seconds time, or JSON null when it is not known.</summary>
    internal static SortedJsonObject AddTime(this SortedJsonObject entry, string key, DateTimeOffset? time) =>
        time is { } value ? entry.AddFloat(key, UnixSeconds(value)) : entry.Add(key, (string?)null);
}
