using System.Diagnostics;
using System.Globalization;

namespace Tsim.Registry.Locking;

/// <summary>
/// A checked lock timeout: infinite, or 0 to <see cref="int.MaxValue"/> milliseconds. Built once in the facade
/// from a caller's <see cref="TimeSpan"/>? (null = the configured default) so that nothing below re-validates.
/// </summary>
internal readonly struct LockTimeout : IEquatable<LockTimeout>
{
    private const long InfiniteMilliseconds = -1;

    private LockTimeout(long milliseconds) => Milliseconds = milliseconds;

    internal static LockTimeout Infinite => new(InfiniteMilliseconds);

    internal static LockTimeout Zero => new(0);

    /// <summary>Gets the timeout in milliseconds, or -1 for infinite.</summary>
    internal long Milliseconds { get; }

    internal bool IsInfinite => Milliseconds == InfiniteMilliseconds;

    internal bool IsZero => Milliseconds == 0;

    internal TimeSpan TimeSpan => IsInfinite ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Milliseconds);

    /// <summary>Checks a caller's timeout; <see langword="null"/> takes <paramref name="defaultSeconds"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than infinite) or too large.</exception>
    internal static LockTimeout From(TimeSpan? timeout, double defaultSeconds, string paramName)
    {
        if (timeout is not { } value)
        {
            return FromSeconds(defaultSeconds);
        }

        if (value == Timeout.InfiniteTimeSpan)
        {
            return Infinite;
        }

        if (value < TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                value,
                $"{paramName} must be between 00:00:00 and {TimeSpan.FromMilliseconds(int.MaxValue).ToString("c", CultureInfo.InvariantCulture)}, or Timeout.InfiniteTimeSpan (got {value.ToString("c", CultureInfo.InvariantCulture)}).");
        }

        // Round up so that a sub-millisecond timeout still waits rather than becoming a try-lock.
        return new((long)Math.Ceiling(value.TotalMilliseconds));
    }

    /// <summary>Converts a validated configuration value in seconds.</summary>
    internal static LockTimeout FromSeconds(double seconds) => new((long)Math.Ceiling(seconds * 1000));

    /// <summary>Returns the time left of this timeout, started at <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    internal LockTimeout Remaining(long startTimestamp)
    {
        if (IsInfinite)
        {
            return this;
        }

        var elapsed = (long)Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        return new(Math.Max(0, Milliseconds - elapsed));
    }

    public bool Equals(LockTimeout other) => Milliseconds == other.Milliseconds;

    public override bool Equals(object? obj) => obj is LockTimeout other && Equals(other);

    public override int GetHashCode() => Milliseconds.GetHashCode();

    public override string ToString() =>
        IsInfinite ? "infinite" : TimeSpan.ToString("c", CultureInfo.InvariantCulture);
}
