using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Storage;

/// <summary>
/// A write that fails before any byte reaches the disk, because the document cannot be serialised, must not leave the
/// caller's changed object cached as if it were the file: the next locked read would otherwise act on a registry
/// that exists only in this manager's memory.
/// </summary>
/// <remarks>
/// How such a document comes about: Python's <c>json</c> writes a <c>str</c> holding a lone surrogate (what
/// <c>os.fsdecode</c> makes of bytes that are not UTF-8) as <c>"\udc80"</c>. System.Text.Json reads that file (an
/// unknown field is kept as a raw <see cref="System.Text.Json.JsonElement"/>), but cannot write the element back.
/// </remarks>
public sealed class RegistryIOSerializationFailureTests : IDisposable
{
    /// <summary>A host Python registered with additional information holding a lone surrogate.</summary>
    private const string PythonHostsWithLoneSurrogate = """
        {
          "web-1": {
            "primary_ip": "10.0.0.1/24",
            "connected_to": "r1",
            "mac_address": "02:00:00:00:00:01",
            "created_at": "Thu Nov 26 14:43:11 2026",
            "registered_at_timestamp": 1795704191.5,
            "mount_point": "/srv/\udc80data"
          }
        }
        """;

    private readonly RegistryTestContext _context = new();

    public RegistryIOSerializationFailureTests()
    {
        _context.EnsureDirectories();
        File.WriteAllText(_context.HostsPath, PythonHostsWithLoneSurrogate);
    }

    public void Dispose() => _context.Dispose();

    [Fact]
    public void Write_DocumentCannotBeSerialized_DoesNotLeaveTheChangedObjectCached()
    {
        var io = new RegistryIO(_context.RegistryDirectory, 3, TimeSpan.Zero, NullLogger.Instance);
        var hosts = io.ReadLocked(RegistryFiles.Hosts);
        hosts["web-2"] = new HostRecord { PrimaryIp = "10.0.0.2", MacAddress = "02:00:00:00:00:02" };

        var write = () => io.Write(RegistryFiles.Hosts, hosts);

        write.Should().Throw<RegistryException>("the lone surrogate cannot be written back").WithMessage("*cannot be written as JSON*Nothing was written*");
        File.ReadAllText(_context.HostsPath).Should().Be(PythonHostsWithLoneSurrogate, "nothing was written");
        io.ReadLocked(RegistryFiles.Hosts).Keys.Should().Equal(["web-1"], "the file does not hold web-2, so a locked read must not return it");
    }

    [Fact]
    public void CheckAndRegisterHost_WriteFailedToSerialize_TheHostIsNotTreatedAsRegisteredAfterwards()
    {
        var manager = _context.CreateManager();
        var register = () => manager.CheckAndRegisterHost("web-2", "10.0.0.2", "r1", "02:00:00:00:00:02");
        register.Should().Throw<RegistryException>("hosts.json cannot be written back");
        manager.ListAllHosts().Keys.Should().Equal(["web-1"], "the failed registration wrote nothing");

        bool? again = null;
        try
        {
            again = register();
        }
#pragma warning disable CA1031 // Failing the same way again is fine; what must not happen is a refusal.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        again.Should().NotBe(false, "web-2 is not in hosts.json; refusing it as 'already registered' means the failed registration's change stayed in the cached parse (and in its collision index)");
        manager.ListAllHosts().Keys.Should().NotContain("web-2").And.Contain("web-1");
    }
}
