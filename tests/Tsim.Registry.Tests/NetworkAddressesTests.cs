
namespace Tsim.Registry.Tests;

public sealed class NetworkAddressesTests
{
    public static TheoryData<string, string> CanonicalIps => new()
    {
        { "10.0.0.1", "10.0.0.1" },
        { "10.0.0.1/24", "10.0.0.1/24" },
        { "0.0.0.0/0", "0.0.0.0/0" },
        { "255.255.255.255/32", "255.255.255.255/32" },
        { "2001:DB8::1/64", "2001:db8::1/64" },
        { "2001:0db8:0000:0000::1", "2001:db8::1" },
        { "::1", "::1" },
        { "::1/128", "::1/128" },
    };

    public static TheoryData<string> InvalidIps => new()
    {
        "10.1",
        "10.0.0",
        "1.2.3.4.5",
        "010.0.0.1",
        "10.0.0.256",
        "10.0.0.1/33",
        "10.0.0.1/",
        "10.0.0.1/024",
        "10.0.0.1/-1",
        "::1/129",
        "fe80::1%eth0",
        "2001:db8:::1",
        " 10.0.0.1",
        "10.0.0.1 ",
        "host.example",
        "",
    };

    public static TheoryData<string, string> CanonicalMacs => new()
    {
        { "AA-BB-CC-DD-EE-FF", "aa:bb:cc:dd:ee:ff" },
        { "aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff" },
        { "0A:1b:2C:3d:4E:5f", "0a:1b:2c:3d:4e:5f" },
    };

    public static TheoryData<string> InvalidMacs => new()
    {
        "aa:bb:cc:dd:ee",
        "aa:bb-cc:dd:ee:ff",
        "aa:bb:cc:dd:ee:ff:00",
        "aabb.ccdd.eeff",
        "aabbccddeeff",
        "gg:bb:cc:dd:ee:ff",
        "aa:bb:cc:dd:ee:f",
        "",
    };

    [Theory]
    [MemberData(nameof(CanonicalIps))]
    public void CanonicalIpOrThrow_ValidAddress_ReturnsCanonicalSpelling(string input, string expected)
    {
        NetworkAddresses.CanonicalIpOrThrow(input, "primaryIp").Should().Be(expected);
    }

    [Theory]
    [MemberData(nameof(InvalidIps))]
    public void CanonicalIpOrThrow_InvalidAddress_ThrowsNamingParameter(string input)
    {
        var act = () => NetworkAddresses.CanonicalIpOrThrow(input, "primaryIp");

        act.Should().Throw<ArgumentException>()
            .WithParameterName("primaryIp")
            .WithMessage($"primaryIp *(got '{input}')*");
    }

    [Fact]
    public void CanonicalIpOrThrow_PrefixTooLong_MessageStatesRange()
    {
        var act = () => NetworkAddresses.CanonicalIpOrThrow("::1/129", "neighborIp");

        act.Should().Throw<ArgumentException>().WithMessage("neighborIp has an invalid prefix length: it must be a decimal number from 0 to 128*");
    }

    [Fact]
    public void CanonicalIpOrThrow_Null_ThrowsArgumentNullException()
    {
        var act = () => NetworkAddresses.CanonicalIpOrThrow(null!, "primaryIp");

        act.Should().Throw<ArgumentNullException>().WithParameterName("primaryIp");
    }

    [Theory]
    [InlineData("10.0.0.1/24", "10.0.0.1")]
    [InlineData("10.0.0.1", "10.0.0.1")]
    [InlineData("2001:0DB8:0:0::1/64", "2001:db8::1")]
    [InlineData("not-an-ip", "not-an-ip")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void AddressKey_StoredSpelling_ReturnsAddressWithoutPrefix(string? stored, string expected)
    {
        NetworkAddresses.AddressKey(stored).Should().Be(expected);
    }

    [Theory]
    [MemberData(nameof(CanonicalMacs))]
    public void CanonicalMacOrThrow_ValidMac_ReturnsLowerCaseWithColons(string input, string expected)
    {
        NetworkAddresses.CanonicalMacOrThrow(input, "macAddress").Should().Be(expected);
    }

    [Theory]
    [MemberData(nameof(InvalidMacs))]
    public void CanonicalMacOrThrow_InvalidMac_ThrowsNamingParameter(string input)
    {
        var act = () => NetworkAddresses.CanonicalMacOrThrow(input, "macAddress");

        act.Should().Throw<ArgumentException>()
            .WithParameterName("macAddress")
            .WithMessage($"macAddress must be six two-digit hex octets separated by ':' or '-' (got '{input}')*");
    }

    [Theory]
    [InlineData("AA-BB-CC-DD-EE-FF", "aa:bb:cc:dd:ee:ff")]
    [InlineData("Weird", "weird")]
    [InlineData(null, "")]
    public void MacKey_StoredSpelling_ReturnsComparableForm(string? stored, string expected)
    {
        NetworkAddresses.MacKey(stored).Should().Be(expected);
    }
}
