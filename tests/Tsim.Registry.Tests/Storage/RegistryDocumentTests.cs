using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Locking;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Storage;

/// <summary>
/// <see cref="RegistryDocument{T}"/>: the one read-modify-write of the library holds the file's lock around the whole
/// change, writes only what a change reports as changed, and drops the cached copy of a change that throws.
/// </summary>
public sealed class RegistryDocumentTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly LockManager _locks;
    private readonly RegistryDocument<Dictionary<string, HostRecord>> _document;

    public RegistryDocumentTests()
    {
        _locks = _context.CreateLockManager();
        var io = new RegistryIO(_context.RegistryDirectory, 3, TimeSpan.Zero, NullLogger.Instance);
        _document = new RegistryDocument<Dictionary<string, HostRecord>>(
            io, RegistryFiles.Hosts, _locks, LockName.HostsRegistry(_context.Prefix), LockTimeout.FromSeconds(1));
    }

    public void Dispose() => _context.Dispose();

    [Fact]
    public void Update_Changed_WritesTheDocument()
    {
        _document.Update(hosts =>
        {
            hosts["web-1"] = Host("10.0.0.1");
            return Edit.Changed(0);
        });

        _document.Snapshot().Keys.Should().Equal("web-1");
    }

    [Fact]
    public void Update_Unchanged_WritesNothing()
    {
        _document.Update(hosts => Edit.Changed(hosts.TryAdd("web-1", Host("10.0.0.1"))));
        var before = File.ReadAllBytes(_context.HostsPath);
        var inode = new FileInfo(_context.HostsPath).LastWriteTimeUtc;

        _document.Update(hosts => Edit.Unchanged(hosts.Count)).Should().Be(1);

        File.ReadAllBytes(_context.HostsPath).Should().Equal(before);
        new FileInfo(_context.HostsPath).LastWriteTimeUtc.Should().Be(inode);
        _context.TemporaryFiles().Should().BeEmpty();
    }

    [Fact]
    public void Update_ChangeThrows_WritesNothingAndDropsItsHalfChangedCopy()
    {
        _document.Update(hosts => Edit.Changed(hosts.TryAdd("web-1", Host("10.0.0.1"))));

        var act = () => _document.Update<int>(hosts =>
        {
            hosts["half-done"] = Host("10.0.0.2");
            throw new InvalidOperationException("abort");
        });

        act.Should().Throw<InvalidOperationException>();
        _document.Snapshot().Keys.Should().Equal("web-1");
        _document.Update(hosts => Edit.Unchanged(hosts.Keys.ToArray())).Should().Equal("web-1");
    }

    [Fact]
    public void Update_HoldsTheLockAroundTheWholeChange()
    {
        var observed = _document.Update(_ => Edit.Unchanged(RegistryTestContext.SemaphoreValue(_context.HostsLockName)));

        observed.Should().Be(0, "the hosts lock is held while the change runs");
        RegistryTestContext.SemaphoreValue(_context.HostsLockName).Should().Be(1, "and released afterwards");
    }

    [Fact]
    public void Update_LockHeldElsewhere_ThrowsLockTimeoutAndRunsNothing()
    {
        using var other = _context.OpenSemaphore(_context.HostsLockName);
        other.TryWait().Should().BeTrue();
        var document = new RegistryDocument<Dictionary<string, HostRecord>>(
            new RegistryIO(_context.RegistryDirectory, 3, TimeSpan.Zero, NullLogger.Instance),
            RegistryFiles.Hosts,
            _locks,
            LockName.HostsRegistry(_context.Prefix),
            LockTimeout.FromSeconds(0));
        var ran = false;

        var act = () => document.Update(_ =>
        {
            ran = true;
            return Edit.Unchanged(0);
        });

        act.Should().Throw<RegistryLockTimeoutException>().Which.LockNames.Should().Equal(_context.HostsLockName);
        ran.Should().BeFalse();
        other.Post();
    }

    [Fact]
    public void Inspect_ChangedCopy_IsNeverWrittenNorCached()
    {
        _document.Update(hosts => Edit.Changed(hosts.TryAdd("web-1", Host("10.0.0.1"))));
        var before = File.ReadAllBytes(_context.HostsPath);

        _document.Inspect(hosts => hosts.Remove("web-1")).Should().BeTrue();

        File.ReadAllBytes(_context.HostsPath).Should().Equal(before);
        _document.Update(hosts => Edit.Unchanged(hosts.Keys.ToArray())).Should().Equal("web-1");
    }

    private static HostRecord Host(string ip) => new() { PrimaryIp = ip, ConnectedTo = "r1", MacAddress = "02:00:00:00:00:01" };
}
