using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Tsim.Registry;

/// <summary>Strict parsing and canonical forms of IP and MAC addresses.</summary>
/// <remarks>
/// <see cref="IPAddress.TryParse(string, out IPAddress)"/> accepts shorthands such as <c>10.1</c> and octal-looking
/// leading zeros, which would let two spellings of one address slip past the collision check, so IPv4 is parsed
/// here as exactly four decimal octets. Entries already on disk (perhaps written by Python in another spelling)
/// are compared leniently in canonical form.
/// </remarks>
internal static class NetworkAddresses
{
    /// <summary>Checks an IPv4 or IPv6 address with an optional prefix length and returns it in canonical spelling.</summary>
    /// <exception cref="ArgumentException">The address is not valid; the message names the rule.</exception>
    internal static string CanonicalIpOrThrow(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var addressPart = slash < 0 ? value : value[..slash];
        var address = ParseStrict(addressPart)
            ?? throw new ArgumentException(
                $"{paramName} must be an IPv4 address of four decimal octets without leading zeros, or an IPv6 address, optionally followed by /prefix-length (got '{value}').",
                paramName);

        if (slash < 0)
        {
            return Canonical(address);
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefixPart = value.AsSpan(slash + 1);
        if (!TryParseDecimal(prefixPart, out var prefix) || prefix > maxPrefix)
        {
            throw new ArgumentException(
                $"{paramName} has an invalid prefix length: it must be a decimal number from 0 to {maxPrefix} (got '{value}').",
                paramName);
        }

        return $"{Canonical(address)}/{prefix.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Returns the address part of a stored IP (prefix length removed) in canonical spelling, or the raw text.</summary>
    internal static string AddressKey(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return string.Empty;
        }

        var slash = stored.IndexOf('/', StringComparison.Ordinal);
        var addressPart = slash < 0 ? stored : stored[..slash];
        return IPAddress.TryParse(addressPart, out var address) ? Canonical(address) : addressPart;
    }

    /// <summary>Checks a MAC address of six hex octets separated by ':' or '-' and returns it as lower-case with ':'.</summary>
    /// <exception cref="ArgumentException">The address is not valid; the message names the rule.</exception>
    internal static string CanonicalMacOrThrow(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        return TryCanonicalMac(value, out var canonical)
            ? canonical
            : throw new ArgumentException(
                $"{paramName} must be six two-digit hex octets separated by ':' or '-' (got '{value}').", paramName);
    }

    /// <summary>Returns a stored MAC in canonical form for comparison, or its lower-cased raw text.</summary>
    internal static string MacKey(string? stored) =>
        stored is null ? string.Empty : TryCanonicalMac(stored, out var canonical) ? canonical : stored.ToLowerInvariant();

    private static bool TryCanonicalMac(string value, out string canonical)
    {
        canonical = string.Empty;
        if (value.Length != 17)
        {
            return false;
        }

        var separator = value[2];
        if (separator is not (':' or '-'))
        {
            return false;
        }

        Span<char> result = stackalloc char[17];
        for (var i = 0; i < 17; i++)
        {
            var c = value[i];
            if (i % 3 == 2)
            {
                if (c != separator)
                {
                    return false;
                }

                result[i] = ':';
            }
            else if (char.IsAsciiHexDigit(c))
            {
                result[i] = char.ToLowerInvariant(c);
            }
            else
            {
                return false;
            }
        }

        canonical = new string(result);
        return true;
    }

    private static IPAddress? ParseStrict(string text)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            // Zone ids ("%eth0") name an interface of one host; they have no place in a shared registry.
            return !text.Contains('%', StringComparison.Ordinal) &&
                IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
        }

        Span<Range> parts = stackalloc Range[5];
        var span = text.AsSpan();
        if (span.Split(parts, '.') != 4)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (!TryParseDecimal(span[parts[i]], out var octet) || octet > 255)
            {
                return null;
            }

            bytes[i] = (byte)octet;
        }

        return new IPAddress(bytes);
    }

    // Decimal digits only, 1 to 3 of them, no sign, no leading zero (so "010" is not read as 10 or as octal 8).
    private static bool TryParseDecimal(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.Length is 0 or > 3 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    private static string Canonical(IPAddress address) => address.ToString();
}
