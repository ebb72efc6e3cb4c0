using System.Diagnostics.CodeAnalysis;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Testing;

/// <summary>
/// The name of a temporary registry's directory, <c>PREFIX.PID-STARTTIME-PIDNSINODE</c>: its semaphore prefix and the
/// process that created it, so that leftovers can be judged from the name alone.
/// </summary>
internal static class TemporaryRegistryName
{
    private const int PrefixLength = 22; // TemporaryRegistry.PrefixStart and 16 hexadecimal digits.

    internal static string Format(string prefix, ProcessIdentity creator) => prefix + "." + creator.FileNameForm;

    internal static bool TryParse(string name, [NotNullWhen(true)] out string? prefix, [NotNullWhen(true)] out ProcessIdentity? creator)
    {
        prefix = null;
        creator = null;
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || !IsPrefix(name[..dot]) || !ProcessIdentity.TryParseFileNameForm(name[(dot + 1)..], out creator))
        {
            return false;
        }

        prefix = name[..dot];
        return true;
    }

    /// <summary>Tells whether <paramref name="prefix"/> has the form of a temporary registry's prefix.</summary>
    private static bool IsPrefix(string prefix) =>
        prefix.Length == PrefixLength &&
        prefix.StartsWith(TemporaryRegistry.PrefixStart, StringComparison.Ordinal) &&
        prefix[TemporaryRegistry.PrefixStart.Length..].All(char.IsAsciiHexDigitLower);
}
