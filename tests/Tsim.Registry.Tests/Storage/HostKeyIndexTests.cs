using Tsim.Registry.Storage;

namespace Tsim.Registry.Tests.Storage;

/// <summary>
/// <see cref="HostKeyIndex"/>: counts of canonical IP and MAC keys attached to one parsed hosts dictionary. Counts,
/// not sets, because a file written by Python may hold two hosts with one address.
/// </summary>
public sealed class HostKeyIndexTests
{
    private static HostRecord Host(string? ip, string? mac) => new() { PrimaryIp = ip, MacAddress = mac };

    [Fact]
    public void For_EmptyDictionary_ContainsNothing()
    {
        var index = HostKeyIndex.For([]);

        index.ContainsIp("10.0.0.1").Should().BeFalse();
        index.ContainsMac("02:00:00:00:00:01").Should().BeFalse();
    }

    [Fact]
    public void For_ParsedSpellings_AreIndexedByCanonicalKey()
    {
        var hosts = new Dictionary<string, HostRecord>
        {
            ["web-1"] = Host("10.0.0.10/24", "AA-BB-CC-DD-EE-01"),
            ["db-1"] = Host("2001:0DB8:0:0::5", "aa:bb:cc:dd:ee:02"),
        };

        var index = HostKeyIndex.For(hosts);

        index.ContainsIp(NetworkAddresses.AddressKey("10.0.0.10")).Should().BeTrue();
        index.ContainsIp(NetworkAddresses.AddressKey("2001:db8::5")).Should().BeTrue();
        index.ContainsMac("aa:bb:cc:dd:ee:01").Should().BeTrue();
        index.ContainsMac("aa:bb:cc:dd:ee:02").Should().BeTrue();
        index.ContainsIp(NetworkAddresses.AddressKey("10.0.0.11")).Should().BeFalse();
    }

    [Fact]
    public void Removed_OneOfTwoHostsSharingAnAddress_KeepsTheAddress()
    {
        var first = Host("10.0.0.1", "02:00:00:00:00:01");
        var second = Host("10.0.0.1/16", "02:00:00:00:00:01");
        var hosts = new Dictionary<string, HostRecord> { ["a"] = first, ["b"] = second };
        var index = HostKeyIndex.For(hosts);

        hosts.Remove("a");
        index.Removed(first);

        HostKeyIndex.For(hosts).Should().BeSameAs(index, "kept up to date, it is not rebuilt");
        index.ContainsIp("10.0.0.1").Should().BeTrue("the other host still has it");
        index.ContainsMac("02:00:00:00:00:01").Should().BeTrue();

        hosts.Remove("b");
        index.Removed(second);

        index.ContainsIp("10.0.0.1").Should().BeFalse();
        index.ContainsMac("02:00:00:00:00:01").Should().BeFalse();
    }

    [Fact]
    public void Added_ThenRemoved_LeavesNoTrace()
    {
        var hosts = new Dictionary<string, HostRecord>();
        var index = HostKeyIndex.For(hosts);
        var record = Host("10.0.0.1", "02:00:00:00:00:01");

        hosts["a"] = record;
        index.Added(record);
        index.ContainsIp("10.0.0.1").Should().BeTrue();

        hosts.Remove("a");
        index.Removed(record);
        index.ContainsIp("10.0.0.1").Should().BeFalse();
        index.ContainsMac("02:00:00:00:00:01").Should().BeFalse();
    }

    [Fact]
    public void For_DictionaryChangedBehindTheIndexsBack_RebuildsFromTheHostCount()
    {
        var hosts = new Dictionary<string, HostRecord> { ["a"] = Host("10.0.0.1", "02:00:00:00:00:01") };
        HostKeyIndex.For(hosts);

        hosts["b"] = Host("10.0.0.2", "02:00:00:00:00:02"); // Not reported through Added.

        var index = HostKeyIndex.For(hosts);
        index.ContainsIp("10.0.0.2").Should().BeTrue();
        index.ContainsMac("02:00:00:00:00:02").Should().BeTrue();
    }

    [Fact]
    public void For_TwoDictionaries_HaveIndexesOfTheirOwn()
    {
        var one = new Dictionary<string, HostRecord> { ["a"] = Host("10.0.0.1", "02:00:00:00:00:01") };
        var other = new Dictionary<string, HostRecord> { ["a"] = Host("10.0.0.2", "02:00:00:00:00:02") };

        HostKeyIndex.For(one).Should().NotBeSameAs(HostKeyIndex.For(other));
        HostKeyIndex.For(one).ContainsIp("10.0.0.2").Should().BeFalse();
        HostKeyIndex.For(other).ContainsIp("10.0.0.1").Should().BeFalse();
    }

    [Fact]
    public void For_HostsWithoutAddresses_DoNotMakeRealAddressesCollide()
    {
        var hosts = new Dictionary<string, HostRecord> { ["bare"] = Host(null, null), ["empty"] = Host(string.Empty, string.Empty) };

        var index = HostKeyIndex.For(hosts);

        index.ContainsIp("10.0.0.1").Should().BeFalse();
        index.ContainsMac("02:00:00:00:00:01").Should().BeFalse();
    }
}
