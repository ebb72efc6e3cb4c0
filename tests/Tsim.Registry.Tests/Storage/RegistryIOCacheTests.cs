using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Storage;

/// <summary>
/// <see cref="RegistryIO.ReadLocked{T}"/> reuses the object it last parsed or wrote only while the file is that very
/// version (its identity); any other writer's change, even one that keeps the size, is parsed anew.
/// </summary>
public sealed class RegistryIOCacheTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly RegistryIO _io;
    private readonly RegistryIO _otherWriter;

    public RegistryIOCacheTests()
    {
        _context.EnsureDirectories();
        _io = new RegistryIO(_context.RegistryDirectory, 3, TimeSpan.Zero, NullLogger.Instance);
        _otherWriter = new RegistryIO(_context.RegistryDirectory, 3, TimeSpan.Zero, NullLogger.Instance);
    }

    public void Dispose() => _context.Dispose();

    [Fact]
    public void ReadLocked_FileUnchangedSinceOwnWrite_ReturnsTheWrittenObject()
    {
        var hosts = new Dictionary<string, HostRecord> { ["web-1"] = new() { PrimaryIp = "10.0.0.1" } };
        _io.Write(RegistryFiles.Hosts, hosts);

        _io.ReadLocked(RegistryFiles.Hosts).Should().BeSameAs(hosts);
    }

    [Fact]
    public void ReadLocked_AnotherWriterChangedTheFile_ParsesItsContent()
    {
        _io.Write(RegistryFiles.Hosts, new() { ["web-1"] = new() { PrimaryIp = "10.0.0.1" } });

        // Same length, other content: the size alone does not tell them apart; the new inode does.
        _otherWriter.Write(RegistryFiles.Hosts, new() { ["web-2"] = new() { PrimaryIp = "10.0.0.2" } });

        _io.ReadLocked(RegistryFiles.Hosts).Keys.Should().Equal("web-2");
    }

    [Fact]
    public void ReadLocked_UpdateThatThrows_DoesNotLeaveItsHalfChangedObjectCached()
    {
        _io.Write(RegistryFiles.Hosts, new() { ["web-1"] = new() { PrimaryIp = "10.0.0.1" } });

        var act = () => _io.Update<Dictionary<string, HostRecord>, int>(RegistryFiles.Hosts, hosts =>
        {
            hosts.Remove("web-1");
            throw new InvalidOperationException("abort after a change");
        });

        act.Should().Throw<InvalidOperationException>();
        _io.ReadLocked(RegistryFiles.Hosts).Keys.Should().Equal("web-1");
    }
}
