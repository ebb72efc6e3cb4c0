using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

public sealed class RegistryManagerHostsTests : IDisposable
{
    private const string CTimePattern = @"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 1-3][0-9] \d\d:\d\d:\d\d \d{4}$";

    private readonly RegistryTestContext _context = new();
    private readonly RegistryManager _manager;

    public RegistryManagerHostsTests() => _manager = _context.CreateManager();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void CheckAndRegisterHost_New_StoresSpecificationFieldsInCanonicalForm()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 14, 43, 11, 500, TimeSpan.Zero));
        var manager = _context.CreateManager(timeProvider: time);

        manager.CheckAndRegisterHost("web-1", "2001:DB8::10/64", "router-1", "AA-BB-CC-DD-EE-01").Should().BeTrue();

        var entry = JsonNode.Parse(File.ReadAllText(_context.HostsPath))!["web-1"]!.AsObject();
        entry["primary_ip"]!.GetValue<string>().Should().Be("2001:db8::10/64");
        entry["connected_to"]!.GetValue<string>().Should().Be("router-1");
        entry["mac_address"]!.GetValue<string>().Should().Be("aa:bb:cc:dd:ee:01");
        entry["created_at"]!.GetValue<string>().Should().Be("Thu Nov 26 14:43:11 2026");
        entry["registered_at_timestamp"]!.GetValue<double>().Should().Be(1795704191.5);
    }

    [Fact]
    public void GetHostInfo_Registered_ReturnsEveryField()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 5, 7, 8, 9, TimeSpan.Zero));
        var manager = _context.CreateManager(timeProvider: time);
        manager.CheckAndRegisterHost("web-1", "10.0.0.10/24", "router-1", "aa:bb:cc:dd:ee:01", new Dictionary<string, object?>
        {
            ["namespace"] = "ns1",
            ["secondary_ips"] = new List<object?> { "10.1.0.1/24" },
        });

        var info = manager.GetHostInfo("web-1");

        info.Should().NotBeNull();
        info!.Name.Should().Be("web-1");
        info.PrimaryIp.Should().Be("10.0.0.10/24");
        info.ConnectedTo.Should().Be("router-1");
        info.MacAddress.Should().Be("aa:bb:cc:dd:ee:01");
        info.CreatedAt.Should().Be("Thu Mar  5 07:08:09 2026").And.MatchRegex(CTimePattern);
        info.RegisteredAt.Should().Be(time.GetUtcNow());
        info.AdditionalInfo.Keys.Should().BeEquivalentTo("namespace", "secondary_ips");
        info.AdditionalInfo["namespace"].GetString().Should().Be("ns1");
        info.AdditionalInfo["secondary_ips"][0].GetString().Should().Be("10.1.0.1/24");
    }

    [Fact]
    public void CheckAndRegisterHost_SystemClock_CreatedAtLooksLikePythonCTime()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.10", "router-1", "aa:bb:cc:dd:ee:01");

        var info = _manager.GetHostInfo("web-1")!;
        info.CreatedAt.Should().MatchRegex(CTimePattern);
        info.RegisteredAt.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
    }

    [Theory]
    [InlineData(2026, 11, 26, 14, 43, 11, "Thu Nov 26 14:43:11 2026")]
    [InlineData(2026, 1, 1, 0, 0, 0, "Thu Jan  1 00:00:00 2026")]
    [InlineData(2027, 12, 31, 23, 59, 59, "Fri Dec 31 23:59:59 2027")]
    public void PythonCTime_FormatsLikeStrftimePercentC(int year, int month, int day, int hour, int minute, int second, string expected)
    {
        RegistryManager.PythonCTime(new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.FromHours(2)))
            .Should().Be(expected).And.MatchRegex(CTimePattern);
    }

    [Fact]
    public void GetHostInfo_Unknown_ReturnsNull()
    {
        _manager.GetHostInfo("nobody").Should().BeNull();
    }

    [Fact]
    public void ListAllHosts_SeveralRegistered_ReturnsAllByName()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "router-1", "aa:bb:cc:dd:ee:01");
        _manager.CheckAndRegisterHost("web-2", "10.0.0.2", "router-1", "aa:bb:cc:dd:ee:02");

        var hosts = _manager.ListAllHosts();

        hosts.Keys.Should().BeEquivalentTo("web-1", "web-2");
        hosts["web-2"].PrimaryIp.Should().Be("10.0.0.2");
    }

    [Fact]
    public void UnregisterHost_Registered_RemovesItOthersStay()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "router-1", "aa:bb:cc:dd:ee:01");
        _manager.CheckAndRegisterHost("web-2", "10.0.0.2", "router-1", "aa:bb:cc:dd:ee:02");

        _manager.UnregisterHost("web-1").Should().BeTrue();

        _manager.ListAllHosts().Keys.Should().Equal("web-2");
        _manager.CheckAndRegisterHost("web-1b", "10.0.0.1", "router-1", "aa:bb:cc:dd:ee:01").Should().BeTrue("its IP and MAC are free again");
    }

    [Fact]
    public void UnregisterHost_Unknown_ReturnsFalseAndWritesNothing()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "router-1", "aa:bb:cc:dd:ee:01");
        var before = _context.Snapshot();

        _manager.UnregisterHost("nobody").Should().BeFalse();

        _context.Snapshot().Should().Equal(before);
    }

    public static TheoryData<string, string, string, string> CollidingHosts => new()
    {
        // name, ip, mac, why
        { "web-1", "10.9.9.9", "aa:bb:cc:dd:ee:99", "same name" },
        { "web-2", "10.0.0.10", "aa:bb:cc:dd:ee:99", "same IP" },
        { "web-2", "10.0.0.10/16", "aa:bb:cc:dd:ee:99", "same IP, other prefix length" },
        { "web-2", "10.9.9.9", "aa:bb:cc:dd:ee:01", "same MAC" },
        { "web-2", "10.9.9.9", "AA:BB:CC:DD:EE:01", "same MAC, upper case" },
        { "web-2", "10.9.9.9", "aa-bb-cc-dd-ee-01", "same MAC, '-' separators" },
    };

    [Theory]
    [MemberData(nameof(CollidingHosts))]
    public void CheckAndRegisterHost_Collision_ReturnsFalseAndWritesNothing(string name, string ip, string mac, string why)
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.10/24", "router-1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        var before = _context.Snapshot();

        _manager.CheckAndRegisterHost(name, ip, "router-2", mac).Should().BeFalse(why);

        _context.Snapshot().Should().Equal(before);
    }

    [Theory]
    [InlineData("2001:db8::5")]
    [InlineData("2001:DB8::5/64")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0005")]
    public void CheckAndRegisterHost_IPv6OtherSpelling_Collides(string spelling)
    {
        _manager.CheckAndRegisterHost("db-1", "2001:db8:0:0::5/48", "router-2", "aa:bb:cc:dd:ee:02").Should().BeTrue();

        _manager.CheckAndRegisterHost("db-2", spelling, "router-2", "aa:bb:cc:dd:ee:03").Should().BeFalse();
    }

    public static TheoryData<string, string, string> CollidingWithPythonEntries => new()
    {
        { "web-1", "10.9.9.9", "aa:bb:cc:dd:ee:99" },
        { "new-1", "10.0.0.10", "aa:bb:cc:dd:ee:99" },
        { "new-1", "10.0.0.10/32", "aa:bb:cc:dd:ee:99" },
        { "new-1", "10.9.9.9", "aa:bb:cc:dd:ee:01" },
        { "new-1", "10.9.9.9", "AA-BB-CC-DD-EE-01" },
        { "new-1", "2001:db8::5", "aa:bb:cc:dd:ee:99" },
        { "new-1", "10.9.9.9", "AA:BB:CC:DD:EE:02" },
    };

    [Theory]
    [MemberData(nameof(CollidingWithPythonEntries))]
    public void CheckAndRegisterHost_CollidesWithPythonSpelling_ReturnsFalseAndFileStaysByteIdentical(string name, string ip, string mac)
    {
        File.WriteAllText(_context.HostsPath, PythonFiles.Hosts);
        var before = _context.Snapshot();

        _manager.CheckAndRegisterHost(name, ip, "router-9", mac).Should().BeFalse();

        _context.Snapshot().Should().Equal(before);
    }

    [Fact]
    public void CheckAndRegisterHost_PythonFileWithAdditionalInfo_KeepsPythonEntriesAsEqualJson()
    {
        File.WriteAllText(_context.HostsPath, PythonFiles.Hosts);

        _manager.CheckAndRegisterHost("new-1", "10.9.9.9", "router-9", "aa:bb:cc:dd:ee:99").Should().BeTrue();

        var before = JsonNode.Parse(PythonFiles.Hosts)!;
        var after = JsonNode.Parse(File.ReadAllText(_context.HostsPath))!;
        JsonNode.DeepEquals(after["web-1"], before["web-1"]).Should().BeTrue();
        JsonNode.DeepEquals(after["db-1"], before["db-1"]).Should().BeTrue();
        _manager.GetHostInfo("web-1")!.AdditionalInfo["namespace"].GetString().Should().Be("ns1");
    }

    [Fact]
    public void CheckAndRegisterHost_CorruptHostsFile_ThrowsAndLeavesItUntouched()
    {
        File.WriteAllText(_context.HostsPath, "{\"web-1\": {\"primary_ip\": ");
        var before = _context.Snapshot();

        var act = () => _manager.CheckAndRegisterHost("new-1", "10.9.9.9", "router-9", "aa:bb:cc:dd:ee:99");

        act.Should().Throw<RegistryCorruptionException>().Which.FilePath.Should().Be(_context.HostsPath);
        _context.Snapshot().Should().Equal(before);
        RegistryTestContext.SemaphoreValue(_context.HostsLockName).Should().Be(1, "the registry lock is released on the error path");
    }

    [Fact]
    public void ReadOperations_CorruptHostsFile_Throw()
    {
        File.WriteAllText(_context.HostsPath, "[]");

        ((Action)(() => _manager.GetHostInfo("web-1"))).Should().Throw<RegistryCorruptionException>();
        ((Action)(() => _manager.ListAllHosts())).Should().Throw<RegistryCorruptionException>();
        ((Action)(() => _manager.UnregisterHost("web-1"))).Should().Throw<RegistryCorruptionException>();
        File.ReadAllText(_context.HostsPath).Should().Be("[]");
    }

    [Fact]
    public void CheckAndRegisterHost_HostsLockHeldElsewhere_ThrowsLockTimeoutNamingLock()
    {
        var manager = _context.CreateManager(o => o.LockTimeouts.HostRegistrySeconds = 0.05);
        var raw = _context.OpenSemaphore(_context.HostsLockName);
        raw.TryWait().Should().BeTrue();

        var act = () => manager.CheckAndRegisterHost("web-1", "10.0.0.1", "router-1", "aa:bb:cc:dd:ee:01");

        var thrown = act.Should().Throw<RegistryLockTimeoutException>()
            .WithMessage($"Could not acquire registry lock '{_context.HostsLockName}' within 00:00:00.0500000*").Which;
        thrown.LockNames.Should().Equal(_context.HostsLockName);
        thrown.Timeout.Should().Be(TimeSpan.FromMilliseconds(50));
        File.Exists(_context.HostsPath).Should().BeFalse();
        raw.Post();
    }

    [Fact]
    public void CheckAndRegisterHost_SameHostFromManyThreadsOnTwoManagers_ExactlyOneWins()
    {
        var managers = new[] { _manager, _context.CreateManager() };

        var results = Concurrently.Run(16, i =>
            managers[i % 2].CheckAndRegisterHost("web-1", $"10.0.{i}.1", "router-1", $"aa:bb:cc:dd:{i:x2}:01"));

        results.Count(r => r).Should().Be(1);
        _manager.ListAllHosts().Should().ContainSingle();
        _context.TemporaryFiles().Should().BeEmpty();
    }

    [Fact]
    public void CheckAndRegisterHost_SameIpDifferentNamesFromManyThreads_ExactlyOneWins()
    {
        var managers = new[] { _manager, _context.CreateManager() };

        var results = Concurrently.Run(16, i =>
            managers[i % 2].CheckAndRegisterHost($"web-{i}", i % 2 == 0 ? "10.0.0.1" : "10.0.0.1/24", "router-1", $"aa:bb:cc:dd:{i:x2}:01"));

        results.Count(r => r).Should().Be(1);
        _manager.ListAllHosts().Should().ContainSingle();
    }

    [Fact]
    public void CheckAndRegisterHost_SameMacDifferentSpellingsFromManyThreads_ExactlyOneWins()
    {
        var managers = new[] { _manager, _context.CreateManager() };

        var results = Concurrently.Run(16, i =>
            managers[i % 2].CheckAndRegisterHost($"web-{i}", $"10.0.{i}.1", "router-1", i % 2 == 0 ? "AA-BB-CC-DD-EE-01" : "aa:bb:cc:dd:ee:01"));

        results.Count(r => r).Should().Be(1);
    }

    [Fact]
    public void CheckAndRegisterHost_DistinctHostsFromManyThreadsOnTwoManagers_AllLandNoTempFilesValidJson()
    {
        var managers = new[] { _manager, _context.CreateManager() };

        var results = Concurrently.Run(8, i =>
        {
            var registered = 0;
            for (var n = 0; n < 10; n++)
            {
                if (managers[i % 2].CheckAndRegisterHost($"h-{i}-{n}", $"10.{i}.{n}.1", "router-1", $"aa:bb:cc:{i:x2}:{n:x2}:01"))
                {
                    registered++;
                }
            }

            return registered;
        });

        results.Sum().Should().Be(80);
        _context.TemporaryFiles().Should().BeEmpty();
        var act = () => JsonDocument.Parse(File.ReadAllBytes(_context.HostsPath)).Dispose();
        act.Should().NotThrow();
        _manager.ListAllHosts().Should().HaveCount(80);
    }

    [Fact]
    public void CheckAndRegisterHost_SpecificationTempFileOrSymlinkPresent_WritesUnaffected()
    {
        _context.EnsureDirectories();
        var victim = Path.Combine(_context.RegistryDirectory, "victim.json");
        File.WriteAllText(victim, "precious");
        File.CreateSymbolicLink(Path.Combine(_context.RegistryDirectory, "hosts.tmp"), victim);
        File.WriteAllText(Path.Combine(_context.RegistryDirectory, "host_leases.tmp"), "stale");

        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "router-1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        _manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1").Should().Be(1);

        File.ReadAllText(victim).Should().Be("precious");
        File.ReadAllText(Path.Combine(_context.RegistryDirectory, "host_leases.tmp")).Should().Be("stale");
        _manager.GetHostInfo("web-1").Should().NotBeNull();
        _manager.GetHostLeaseCount("web-1").Should().Be(1);
    }
}
