using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Storage;

/// <summary>
/// <see cref="RegistryIO.ReadLocked{T}"/> reuses the object it last parsed or wrote while the file's identity (device,
/// inode, size, modification, change and birth times) is unchanged; a rename over the file, an in-place rewrite, a
/// deletion or a symlink in its place makes it read the file again. <see cref="RegistryIO.Write{T}"/> serialises into
/// a reused buffer, which must never leak bytes of an earlier, longer document.
/// </summary>
public sealed class RegistryIOIdentityCacheTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly RegistryIO _io;
    private readonly RegistryIO _otherWriter;

    public RegistryIOIdentityCacheTests()
    {
        _context.EnsureDirectories();
        _io = new RegistryIO(_context.RegistryDirectory, 3, TimeSpan.Zero, NullLogger.Instance);
        _otherWriter = new RegistryIO(_context.RegistryDirectory, 3, TimeSpan.Zero, NullLogger.Instance);
    }

    public void Dispose() => _context.Dispose();

    private static Dictionary<string, HostRecord> Hosts(string name, string ip) => new() { [name] = new() { PrimaryIp = ip } };

    private FileIdentity Identity() => FileIdentity.Of(_context.HostsPath) ?? throw new InvalidOperationException("no identity");

    /// <summary>Overwrites the file's bytes from offset 0 without truncating, renaming or reopening it by name.</summary>
    private void RewriteInPlace(string json)
    {
        using var handle = File.OpenHandle(_context.HostsPath, FileMode.Open, FileAccess.Write);
        RandomAccess.Write(handle, Encoding.UTF8.GetBytes(json), 0);
    }

    [Fact]
    public void ReadLocked_FileParsedFromAnotherWriter_IsReusedWhileUnchanged()
    {
        _otherWriter.Write(RegistryFiles.Hosts, Hosts("web-1", "10.0.0.1"));

        var first = _io.ReadLocked(RegistryFiles.Hosts);
        var second = _io.ReadLocked(RegistryFiles.Hosts);

        second.Should().BeSameAs(first);
        first.Keys.Should().Equal("web-1");
    }

    [Fact]
    public void ReadLocked_SameBytesRenamedOverTheFile_ParsesTheNewFile()
    {
        var written = Hosts("web-1", "10.0.0.1");
        _io.Write(RegistryFiles.Hosts, written);
        var before = (Identity(), File.ReadAllBytes(_context.HostsPath));

        _otherWriter.Write(RegistryFiles.Hosts, Hosts("web-1", "10.0.0.1"));

        File.ReadAllBytes(_context.HostsPath).Should().Equal(before.Item2, "another writer wrote the very same bytes");
        Identity().Inode.Should().NotBe(before.Item1.Inode, "through a new file renamed over the old one");
        var read = _io.ReadLocked(RegistryFiles.Hosts);
        read.Should().NotBeSameAs(written, "a new inode is another version of the file, whatever it holds");
        read.Keys.Should().Equal("web-1");
    }

    [Fact]
    public void ReadLocked_RewrittenInPlaceWithTheSameSize_ParsesTheNewContent()
    {
        _io.Write(RegistryFiles.Hosts, Hosts("web-1", "10.0.0.1"));
        var before = Identity();
        var replacement = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(Hosts("web-2", "10.0.0.2"), RegistryJsonContext.Default.DictionaryStringHostRecord));

        RewriteInPlace(replacement);

        var after = Identity();
        (after.Inode, after.Size).Should().Be((before.Inode, before.Size), "same file, same size: only its times tell");
        var read = _io.ReadLocked(RegistryFiles.Hosts);
        read.Keys.Should().Equal("web-2");
        read["web-2"].PrimaryIp.Should().Be("10.0.0.2");
    }

    [Fact]
    public void ReadLocked_RewrittenInPlaceWithAnotherSize_ParsesTheNewContent()
    {
        _io.Write(RegistryFiles.Hosts, Hosts("web-1", "10.0.0.1"));
        var inode = Identity().Inode;

        File.WriteAllText(_context.HostsPath, """{"web-22": {"primary_ip": "10.0.0.22"}}"""); // O_TRUNC, same inode.

        Identity().Inode.Should().Be(inode);
        _io.ReadLocked(RegistryFiles.Hosts).Keys.Should().Equal("web-22");
    }

    [Fact]
    public void ReadLocked_OnlyTheModificationTimeChanged_ParsesAgain()
    {
        var written = Hosts("web-1", "10.0.0.1");
        _io.Write(RegistryFiles.Hosts, written);

        File.SetLastWriteTimeUtc(_context.HostsPath, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var read = _io.ReadLocked(RegistryFiles.Hosts);
        read.Should().NotBeSameAs(written);
        read.Keys.Should().Equal("web-1");
    }

    [Fact]
    public void ReadLocked_FileDeletedAfterOwnWrite_ReadsAsEmpty()
    {
        _io.Write(RegistryFiles.Hosts, Hosts("web-1", "10.0.0.1"));

        File.Delete(_context.HostsPath);

        _io.ReadLocked(RegistryFiles.Hosts).Should().BeEmpty();
    }

    [Fact]
    public void ReadLocked_FileReplacedBySymlinkToIdenticalContent_IsRefusedNotServedFromTheCache()
    {
        _io.Write(RegistryFiles.Hosts, Hosts("web-1", "10.0.0.1"));
        var elsewhere = Path.Combine(_context.RegistryDirectory, "elsewhere.json");
        File.Move(_context.HostsPath, elsewhere);
        File.CreateSymbolicLink(_context.HostsPath, elsewhere);

        var act = () => _io.ReadLocked(RegistryFiles.Hosts);

        act.Should().Throw<RegistryException>().WithMessage("*symbolic link*");
    }

    [Fact]
    public void ReadLocked_AfterFailedWrite_ReadsTheFileAgain()
    {
        _io.Write(RegistryFiles.Hosts, Hosts("web-1", "10.0.0.1"));
        var cached = _io.ReadLocked(RegistryFiles.Hosts);
        cached["web-2"] = new HostRecord { PrimaryIp = "10.0.0.2" };

        // A directory where the temporary file's rename target is: every attempt fails.
        File.Delete(_context.HostsPath);
        Directory.CreateDirectory(_context.HostsPath);
        var write = () => _io.Write(RegistryFiles.Hosts, cached);
        write.Should().Throw<RegistryException>();
        Directory.Delete(_context.HostsPath);
        _otherWriter.Write(RegistryFiles.Hosts, Hosts("web-1", "10.0.0.1"));

        _io.ReadLocked(RegistryFiles.Hosts).Keys.Should().Equal("web-1");
    }

    [Fact]
    public void FileIdentity_OfTheSameVersion_IsEqual_AndOfEveryOtherVersionDiffers()
    {
        _io.Write(RegistryFiles.Hosts, Hosts("web-1", "10.0.0.1"));
        var first = Identity();

        Identity().Should().Be(first);
        using (var handle = File.OpenHandle(_context.HostsPath))
        {
            FileIdentity.Of(handle).Should().Be(first, "by path and by open file alike");
        }

        first.Size.Should().Be((ulong)new FileInfo(_context.HostsPath).Length);
        _otherWriter.Write(RegistryFiles.Hosts, Hosts("web-1", "10.0.0.1"));
        Identity().Should().NotBe(first);
    }

    [Fact]
    public void FileIdentity_OfAnythingButARegularFile_IsNull()
    {
        var link = Path.Combine(_context.RegistryDirectory, "link.json");
        File.WriteAllText(_context.HostsPath, "{}");
        File.CreateSymbolicLink(link, _context.HostsPath);

        FileIdentity.Of(link).Should().BeNull("a symlink is judged by the reader, never vouched for");
        FileIdentity.Of(_context.RegistryDirectory).Should().BeNull();
        FileIdentity.Of(Path.Combine(_context.RegistryDirectory, "missing.json")).Should().BeNull();
    }

    [Fact]
    public void Read_AlwaysParsesAPrivateCopy()
    {
        var written = Hosts("web-1", "10.0.0.1");
        _io.Write(RegistryFiles.Hosts, written);

        _io.Read(RegistryFiles.Hosts).Should().NotBeSameAs(written);
        _io.Read(RegistryFiles.Hosts).Should().NotBeSameAs(_io.Read(RegistryFiles.Hosts));
    }

    [Fact]
    public void Write_ShortDocumentAfterLongOnes_FileHoldsExactlyTheSerializersBytes()
    {
        var large = Enumerable.Range(0, 500).ToDictionary(i => $"host-{i}", i => new HostRecord { PrimaryIp = $"10.{i / 256}.{i % 256}.1", MacAddress = $"02:00:00:00:{i / 256:x2}:{i % 256:x2}" });
        var leases = new Dictionary<string, HostLeaseEntry> { ["web-1"] = new() { Router = "r1", Leases = [] } };

        _io.Write(RegistryFiles.Hosts, large);
        _io.Write(RegistryFiles.HostLeases, leases);
        File.ReadAllBytes(_context.HostsPath).Should().Equal(JsonSerializer.SerializeToUtf8Bytes(large, RegistryJsonContext.Default.DictionaryStringHostRecord));

        var small = Hosts("x", "10.9.9.9");
        _io.Write(RegistryFiles.Hosts, small);
        File.ReadAllBytes(_context.HostsPath).Should().Equal(JsonSerializer.SerializeToUtf8Bytes(small, RegistryJsonContext.Default.DictionaryStringHostRecord));

        _io.Write(RegistryFiles.Hosts, []);
        File.ReadAllText(_context.HostsPath).Should().Be("{}");
        File.ReadAllBytes(_context.HostLeasesPath).Should().Equal(JsonSerializer.SerializeToUtf8Bytes(leases, RegistryJsonContext.Default.DictionaryStringHostLeaseEntry), "each file has a buffer of its own");
    }

    [Fact]
    public void SerializationBuffer_Reused_ReturnsExactlyTheSerializersBytesEachTime()
    {
        var buffer = new SerializationBuffer();
        var typeInfo = RegistryJsonContext.Default.DictionaryStringHostRecord;
        var large = Enumerable.Range(0, 300).ToDictionary(i => $"h{i}", i => new HostRecord { PrimaryIp = $"10.0.{i / 256}.{i % 256}" });
        var small = Hosts("é\"", "10.0.0.1");

        buffer.Serialize(large, typeInfo, HostsJson.Write).ToArray().Should().Equal(JsonSerializer.SerializeToUtf8Bytes(large, typeInfo));
        buffer.Serialize(small, typeInfo, HostsJson.Write).ToArray().Should().Equal(JsonSerializer.SerializeToUtf8Bytes(small, typeInfo));
        buffer.Serialize(small, typeInfo).ToArray().Should().Equal(JsonSerializer.SerializeToUtf8Bytes(small, typeInfo), "the serialiser's own path");
    }

    [Fact]
    public void SerializationBuffer_IndentedOptions_IgnoresTheFastWriterAndIndents()
    {
        var options = new JsonSerializerOptions(RegistryJsonContext.Default.Options) { WriteIndented = true };
        var typeInfo = (JsonTypeInfo<Dictionary<string, HostRecord>>)options.GetTypeInfo(typeof(Dictionary<string, HostRecord>));
        var hosts = Hosts("web-1", "10.0.0.1");

        var bytes = new SerializationBuffer().Serialize(hosts, typeInfo, HostsJson.Write).ToArray();

        bytes.Should().Equal(JsonSerializer.SerializeToUtf8Bytes(hosts, typeInfo));
        Encoding.UTF8.GetString(bytes).Should().Contain("\n");
    }

    [Fact]
    public void TwoManagers_AlternatingWrites_EachSeesTheOthersChanges()
    {
        var one = _context.CreateManager();
        var other = _context.CreateManager();

        for (var i = 0; i < 10; i++)
        {
            var (writer, reader) = i % 2 == 0 ? (one, other) : (other, one);
            writer.CheckAndRegisterHost($"h{i}", $"10.0.1.{i}", "r1", $"02:00:00:00:01:{i:x2}").Should().BeTrue();
            reader.CheckAndRegisterHost($"h{i}", "10.0.9.9", "r1", "02:00:00:00:09:09").Should().BeFalse($"h{i} was registered by the other manager");
            reader.CheckAndRegisterHost($"x{i}", $"10.0.1.{i}", "r1", "02:00:00:00:09:09").Should().BeFalse("and its IP is taken");
        }

        one.UnregisterHost("h3").Should().BeTrue();
        other.UnregisterHost("h3").Should().BeFalse("the other manager removed it");
        other.ListAllHosts().Keys.Should().HaveCount(9);
    }
}
