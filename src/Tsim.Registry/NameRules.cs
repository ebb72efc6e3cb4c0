using System.Buffers;
using Tsim.Registry.Locking;

namespace Tsim.Registry;

/// <summary>
/// The rules every name passed to the registry must follow, checked before any lock is taken or file touched.
/// </summary>
/// <remarks>
/// Router names end up in semaphore names (<c>/dev/shm/sem.PREFIX-router-NAME</c>) and in file names of the lock
/// directory, so they are restricted to a portable file-name alphabet: no '/', NUL, whitespace or ':' (the
/// neighbour key <c>HOST:IP</c> would become ambiguous), and not '.' or '..'. The length limit follows from
/// NAME_MAX (255): every file named after a router's lock (<c>PREFIX-router-NAME</c>) must fit, with the longest
/// allowed prefix; the longest of them is the recovery guard <c>.PREFIX-router-NAME.recovery</c>
/// (<see cref="LockName.MaxLength"/> says which names there are). Host names follow the same rule so that a host and
/// the router it is named after are interchangeable.
/// </remarks>
internal static class NameRules
{
    /// <summary>255 (NAME_MAX) − ".".Length − the longest prefix − "-router-".Length − ".recovery".Length: 205.</summary>
    internal const int MaxNameLength = LockName.MaxRouterNameLength;

    /// <summary>
    /// Job and run ids only ever live inside JSON, so they may also carry ':', '@', '+' and '='; they keep the names'
    /// length limit so that one limit covers every identifier a caller passes.
    /// </summary>
    internal const int MaxIdLength = MaxNameLength;

    internal const string AlphabetDescription = "ASCII letters, digits, '.', '_' and '-'";

    private const string IdAlphabetDescription = "ASCII letters, digits, '.', '_', '-', ':', '@', '+' and '='";

    private static readonly SearchValues<char> s_nameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    private static readonly SearchValues<char> s_idChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-:@+=");

    internal static bool IsSafe(string value) => !value.AsSpan().ContainsAnyExcept(s_nameChars);

    /// <summary>Checks a host or router name.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException">The name breaks a rule; the message states which.</exception>
    internal static void ThrowIfInvalidName(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Length == 0)
        {
            throw new ArgumentException($"{paramName} must not be empty.", paramName);
        }

        if (value.Length > MaxNameLength)
        {
            throw new ArgumentException(
                $"{paramName} must be at most {MaxNameLength} characters, the room NAME_MAX leaves for the files named after a router's lock with the longest prefix (got {value.Length}).",
                paramName);
        }

        if (!IsSafe(value))
        {
            throw new ArgumentException(
                $"{paramName} may only contain {AlphabetDescription} (got '{Printable(value)}').", paramName);
        }

        if (!char.IsAsciiLetterOrDigit(value[0]))
        {
            throw new ArgumentException(
                $"{paramName} must start with an ASCII letter or digit (got '{value}').", paramName);
        }
    }

    /// <summary>Checks a job id, run id or job type.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException">The id breaks a rule; the message states which.</exception>
    internal static void ThrowIfInvalidId(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Length == 0)
        {
            throw new ArgumentException($"{paramName} must not be empty.", paramName);
        }

        if (value.Length > MaxIdLength)
        {
            throw new ArgumentException($"{paramName} must be at most {MaxIdLength} characters (got {value.Length}).", paramName);
        }

        if (value.AsSpan().ContainsAnyExcept(s_idChars))
        {
            throw new ArgumentException(
                $"{paramName} may only contain {IdAlphabetDescription} (got '{Printable(value)}').", paramName);
        }
    }

    /// <summary>Checks a list of router names and returns them distinct, in ordinal order.</summary>
    internal static string[] SortedDistinctRouterNames(IEnumerable<string> routerNames, string paramName)
    {
        ArgumentNullException.ThrowIfNull(routerNames, paramName);
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in routerNames)
        {
            ThrowIfInvalidName(name, paramName);
            set.Add(name);
        }

        if (set.Count == 0)
        {
            throw new ArgumentException($"{paramName} must name at least one router.", paramName);
        }

        return [.. set];
    }

    // Control characters would garble the message (and a terminal reading the log).
    internal static string Printable(string value) =>
        string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
}
