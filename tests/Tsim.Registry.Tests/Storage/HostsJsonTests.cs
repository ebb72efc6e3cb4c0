using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Storage;

/// <summary>
/// <see cref="HostsJson.Write"/> assembles <c>hosts.json</c> from per-record bytes (formatted once, or adopted by
/// <see cref="HostsJson.Read"/> from a compact file); it must be byte for byte what the serialiser writes
/// (<c>RegistryJsonContext.Default.DictionaryStringHostRecord</c>), for any name and content Python may have put
/// there, and again after any setter changed a record.
/// </summary>
public sealed class HostsJsonTests : IDisposable
{
    /// <summary>
    /// What Python's <c>json.dumps(hosts, separators=(",", ":"))</c> writes (generated with python3): compact like
    /// this library's files, but its own spelling of the same JSON: lower-case <c>\u00e9</c> escapes, a float
    /// timestamp as <c>1795704191.0</c>, an explicit <c>null</c>.
    /// </summary>
    private const string CompactPython =
        """{"caf\u00e9-1":{"primary_ip":"10.0.0.1/24","connected_to":"r\u00f61","mac_address":"AA-BB-CC-DD-EE-01","created_at":"Thu Nov 26 14:43:11 2026","registered_at_timestamp":1795704191.0,"note":"<\u00e9>","nothing":null,"big":123456789012345678901234567890},"web-2":{"primary_ip":"10.0.0.2","connected_to":"r1","mac_address":"02:00:00:00:00:02","created_at":"Thu Nov 26 14:43:12 2026","registered_at_timestamp":1795704192.25}}""";

    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    /// <summary>Names Python may write (it checks nothing): every class of character JSON or the encoder escapes.</summary>
    private static readonly string[] s_awkwardNames =
    [
        "plain-1",
        "quote\"d",
        "back\\slash",
        "slash/and/slash",
        "accents-éü-ß",
        "cjk-中文-名前",
        "emoji-😀-pair",
        "controls-\u0001\u0008\u001f",
        "whitespace-\n\r\t\f",
        "html-<script>&'+`",
        "del-\u007f",
        "separators-\u2028\u2029",
        "nbsp-\u00a0-bom-\ufeff",
        string.Empty,
        new string('n', 5000),
    ];

    public static TheoryData<string> AwkwardNames => new(s_awkwardNames);

    /// <summary>Documents as Python writes them: indented, ensure_ascii escapes, unknown fields of every JSON kind, nulls.</summary>
    public static TheoryData<string> PythonDocuments => new()
    {
        "{}",
        PythonFiles.Hosts,
        """
        {
          "caf\u00e9-\"1\"": {
            "primary_ip": "10.0.0.1",
            "connected_to": "r\u00f61",
            "mac_address": "02:00:00:00:00:01",
            "created_at": "Thu Nov 26 14:43:11 2026",
            "registered_at_timestamp": 1795704191.123456,
            "additional": {"nested": {"deeper": [1, 2.5, -3e-7, true, false, null, "x\ty", {"k": []}]}},
            "big": 123456789012345678901234567890,
            "negative_zero": -0.0,
            "exponent": 1E+400,
            "text": "<tag> & 'quote' \"double\" \\ \/ \u2028 \ud83d\ude00"
          },
          "nulls": {
            "primary_ip": null,
            "connected_to": null,
            "mac_address": null,
            "created_at": null,
            "registered_at_timestamp": null,
            "unknown": null
          },
          "only-ip": {"primary_ip": "2001:db8::1/64"},
          "integer-timestamp": {"registered_at_timestamp": 1795704191},
          "empty-record": {}
        }
        """,
    };

    private static byte[] Serializer(Dictionary<string, HostRecord> hosts) =>
        JsonSerializer.SerializeToUtf8Bytes(hosts, RegistryJsonContext.Default.DictionaryStringHostRecord);

    private static byte[] Assembled(Dictionary<string, HostRecord> hosts)
    {
        var buffer = new ArrayBufferWriter<byte>();
        HostsJson.Write(buffer, hosts, RegistryJsonContext.Default.DictionaryStringHostRecord.Options.Encoder);
        return buffer.WrittenSpan.ToArray();
    }

    private static Dictionary<string, HostRecord> Parse(string json) =>
        JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(json), RegistryJsonContext.Default.DictionaryStringHostRecord)!;

    /// <summary>Parses the way the library reads hosts.json: compact members keep their bytes for the next write.</summary>
    private static Dictionary<string, HostRecord> Read(string json) => HostsJson.Read(Encoding.UTF8.GetBytes(json))!;

    /// <summary>Changes one field of <paramref name="record"/> through its setter (see <see cref="Setters"/>).</summary>
    private static void Change(HostRecord record, string setter)
    {
        switch (setter)
        {
            case nameof(HostRecord.PrimaryIp):
                record.PrimaryIp = "10.9.9.9/16";
                break;
            case nameof(HostRecord.ConnectedTo):
                record.ConnectedTo = "router-9";
                break;
            case nameof(HostRecord.MacAddress):
                record.MacAddress = "02:99:99:99:99:99";
                break;
            case nameof(HostRecord.CreatedAt):
                record.CreatedAt = "Fri Nov 27 00:00:00 2026";
                break;
            case nameof(HostRecord.RegisteredAtTimestamp):
                record.RegisteredAtTimestamp = 42.25;
                break;
            case nameof(HostRecord.Extra):
                record.Extra = AdditionalInfoJson.ToElements(new Dictionary<string, object?> { ["replaced"] = "yes" }, "additionalInfo");
                break;
            case "ExtraToNull":
                record.Extra = null;
                break;
            default:
                record.PrimaryIp = null;
                record.MacAddress = null;
                break;
        }
    }

    /// <summary>Compares as text on failure, so the message shows where the bytes part.</summary>
    private static void ShouldMatchSerializer(Dictionary<string, HostRecord> hosts, string because = "")
    {
        var expected = Serializer(hosts);
        var actual = Assembled(hosts);
        Encoding.UTF8.GetString(actual).Should().Be(Encoding.UTF8.GetString(expected), because);
        actual.Should().Equal(expected, because);
    }

    private static HostRecord FullRecord(int i) => new()
    {
        PrimaryIp = $"10.0.0.{i}/24",
        ConnectedTo = "router-1",
        MacAddress = $"02:00:00:00:00:{i:x2}",
        CreatedAt = "Thu Nov 26 14:43:11 2026",
        RegisteredAtTimestamp = 1795704191.5 + i,
        Extra = AdditionalInfoJson.ToElements(
            new Dictionary<string, object?>
            {
                ["namespace"] = $"ns{i}",
                ["secondary_ips"] = new List<object?> { "10.1.0.1/24", "10.2.0.1/24" },
                ["nested"] = new Dictionary<string, object?> { ["a"] = 1, ["b"] = null, ["c"] = true },
            },
            "additionalInfo"),
    };

    [Theory]
    [MemberData(nameof(AwkwardNames))]
    public void WriteHosts_NameNeedingEscaping_IsByteIdenticalToTheSerializer(string name)
    {
        var hosts = new Dictionary<string, HostRecord> { ["first"] = FullRecord(1), [name] = FullRecord(2), ["last"] = FullRecord(3) };

        ShouldMatchSerializer(hosts);
        ShouldMatchSerializer(hosts, "the second write comes from the cached members");
        Parse(Encoding.UTF8.GetString(Assembled(hosts))).Keys.Should().Equal("first", name, "last");
    }

    [Theory]
    [MemberData(nameof(PythonDocuments))]
    public void WriteHosts_DocumentParsedFromPython_IsByteIdenticalToTheSerializer(string json)
    {
        var hosts = Parse(json);

        ShouldMatchSerializer(hosts);
    }

    [Fact]
    public void WriteHosts_EveryAwkwardNameInOneDocument_RoundTripsThroughRegistryIO()
    {
        var hosts = new Dictionary<string, HostRecord>(StringComparer.Ordinal);
        var i = 0;
        foreach (var name in s_awkwardNames)
        {
            hosts[name] = FullRecord(++i);
        }

        var io = new RegistryIO(_context.RegistryDirectory, 3, TimeSpan.Zero, NullLogger.Instance);
        _context.EnsureDirectories();
        io.Write(RegistryFiles.Hosts, hosts);

        File.ReadAllBytes(_context.HostsPath).Should().Equal(Serializer(hosts), "the file holds exactly the serialiser's bytes");
        io.Read(RegistryFiles.Hosts).Keys.Should().Equal(hosts.Keys);
    }

    public static TheoryData<string> Setters => new()
    {
        nameof(HostRecord.PrimaryIp),
        nameof(HostRecord.ConnectedTo),
        nameof(HostRecord.MacAddress),
        nameof(HostRecord.CreatedAt),
        nameof(HostRecord.RegisteredAtTimestamp),
        nameof(HostRecord.Extra),
        "ExtraToNull",
        "ToNull",
    };

    [Theory]
    [MemberData(nameof(Setters))]
    public void WriteHosts_AfterASetterChangedACachedRecord_WritesTheNewValue(string setter)
    {
        var hosts = Parse(PythonFiles.Hosts);
        var before = Assembled(hosts); // Fills every record's cache.
        var record = hosts["web-1"];

        Change(record, setter);

        var after = Assembled(hosts);
        after.Should().NotEqual(before, "the change must reach the file");
        ShouldMatchSerializer(hosts);
    }

    [Fact]
    public void WriteHosts_RecordMovedToAnotherName_UsesTheNewName()
    {
        var record = FullRecord(1);
        var first = new Dictionary<string, HostRecord> { ["old-name"] = record };
        var second = new Dictionary<string, HostRecord> { ["new-name"] = record };

        ShouldMatchSerializer(first);
        ShouldMatchSerializer(second);
        ShouldMatchSerializer(first, "switching back must not reuse the other name's bytes");
    }

    [Fact]
    public void WriteHosts_AddAndRemoveBetweenWrites_StaysIdentical()
    {
        var hosts = Parse(PythonFiles.Hosts);
        ShouldMatchSerializer(hosts);

        hosts["new-1"] = FullRecord(7);
        ShouldMatchSerializer(hosts);

        hosts.Remove("web-1");
        ShouldMatchSerializer(hosts);

        hosts["web-1"] = FullRecord(8); // Same name, another record.
        ShouldMatchSerializer(hosts);
    }

    [Theory]
    [MemberData(nameof(PythonDocuments))]
    public void Read_ThenWrite_FileThisLibraryWrote_ReproducesItByteForByte(string json)
    {
        var canonical = Encoding.UTF8.GetString(Serializer(Parse(json))); // Compact: every member is adopted.

        var hosts = Read(canonical);

        Encoding.UTF8.GetString(Assembled(hosts)).Should().Be(canonical);
        Serializer(hosts).Should().Equal(Serializer(Parse(canonical)), "the same hosts as the serialiser parses");
    }

    [Fact]
    public void Read_CompactDocumentFromPython_ParsesAsTheSerializerDoesAndWritesTheSameJsonValue()
    {
        var hosts = Read(CompactPython);

        Serializer(hosts).Should().Equal(Serializer(Parse(CompactPython)), "the same hosts as the serialiser parses");
        using var written = JsonDocument.Parse(Assembled(hosts));
        using var original = JsonDocument.Parse(CompactPython);
        JsonElement.DeepEquals(written.RootElement, original.RootElement).Should().BeTrue();
    }

    [Fact]
    public void Write_AfterReadingACompactDocumentFromPython_KeepsItsHostsByteForByte()
    {
        // Hosts another writer wrote compactly are written back as they were, not re-spelled by this serialiser: the
        // same JSON value, and Python's own spelling survives (1795704191.0 stays a float for Python, the explicit
        // null and the big integer stay as written).
        var hosts = Read(CompactPython);

        Encoding.UTF8.GetString(Assembled(hosts)).Should().Be(CompactPython);
    }

    [Theory]
    [MemberData(nameof(Setters))]
    public void Write_AdoptedMemberChangedBySetter_WritesTheNewValue(string setter)
    {
        var canonical = Encoding.UTF8.GetString(Serializer(Parse(PythonFiles.Hosts)));
        var hosts = Read(canonical);
        var record = hosts["web-1"];

        Change(record, setter);

        Encoding.UTF8.GetString(Assembled(hosts)).Should().NotBe(canonical, "the adopted bytes are stale after a change");
        ShouldMatchSerializer(hosts);
    }

    [Fact]
    public void Write_AdoptedMemberUnderAnotherName_UsesTheNewName()
    {
        var hosts = Read(Encoding.UTF8.GetString(Serializer(Parse(PythonFiles.Hosts))));
        var moved = new Dictionary<string, HostRecord> { ["renamed"] = hosts["web-1"] };

        ShouldMatchSerializer(moved);
        ShouldMatchSerializer(hosts);
    }

    [Fact]
    public void RegistrationsThroughTheManager_FileIsAlwaysTheSerializersOutput()
    {
        _context.EnsureDirectories();
        File.WriteAllText(_context.HostsPath, PythonFiles.Hosts);
        var manager = _context.CreateManager();

        for (var i = 1; i <= 5; i++)
        {
            manager.CheckAndRegisterHost($"h{i}", $"10.5.0.{i}", "r1", $"02:05:00:00:00:{i:x2}", new Dictionary<string, object?> { ["note"] = $"é<{i}>" }).Should().BeTrue();
            var onDisk = File.ReadAllBytes(_context.HostsPath);
            onDisk.Should().Equal(Serializer(Parse(Encoding.UTF8.GetString(onDisk))));
        }

        manager.UnregisterHost("web-1").Should().BeTrue();
        var final = File.ReadAllBytes(_context.HostsPath);
        final.Should().Equal(Serializer(Parse(Encoding.UTF8.GetString(final))));
        Parse(Encoding.UTF8.GetString(final))["db-1"].MacAddress.Should().Be("aa:bb:cc:dd:ee:02");
    }
}
