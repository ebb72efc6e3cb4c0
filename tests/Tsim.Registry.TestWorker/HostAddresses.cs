using System.Globalization;

namespace Tsim.Registry.TestWorker;

/// <summary>
/// The hosts <c>register-range</c> registers, derived from an index, so the tests can check hosts.json against
/// the same rules (they see this class through InternalsVisibleTo).
/// </summary>
internal static class HostAddresses
{
    internal static string Name(int i) => "h" + i.ToString(CultureInfo.InvariantCulture);

    internal static string DuplicateName(int i) => "x" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>10.a.b.c from the 24 low bits of i: distinct for every i below 2^24.</summary>
    internal static string Ip(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"10.{(i >> 16) & 0xFF}.{(i >> 8) & 0xFF}.{i & 0xFF}");

    /// <summary>A locally administered unicast MAC (02:…) from the 24 low bits of i.</summary>
    internal static string Mac(int i) => Mac(0x02, i);

    /// <summary>Another locally administered MAC range (06:…), so a duplicate collides on its IP only.</summary>
    internal static string DuplicateMac(int i) => Mac(0x06, i);

    private static string Mac(int first, int i) =>
        string.Create(CultureInfo.InvariantCulture, $"{first:x2}:00:00:{(i >> 16) & 0xFF:x2}:{(i >> 8) & 0xFF:x2}:{i & 0xFF:x2}");
}
