using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>Construction, disposal, and argument validation across the facade.</summary>
public sealed class RegistryManagerTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void Dispose_HoldingRouters_ReleasesThemDeletesOwnerFilesAndTouchesNotify()
    {
        var manager = _context.CreateManager();
        var other = _context.CreateManager();
        manager.AcquireAllRouterLocksAtomic(["r1", "r2"], "job-1");
        manager.AcquireRouterLock("r3", "job-2");

        manager.Dispose();

        foreach (var router in new[] { "r1", "r2", "r3" })
        {
            _context.RouterSemaphoreValue(router).Should().Be(1);
            File.Exists(_context.OwnerRecordPath(router)).Should().BeFalse();
            File.Exists(_context.NotifyPath(router)).Should().BeTrue();
            other.IsRouterLocked(router).Should().BeFalse();
        }
    }

    [Fact]
    public void Dispose_Twice_IsFine()
    {
        var manager = _context.CreateManager();
        manager.AcquireRouterLock("r1", "job-1");
        var other = _context.CreateManager();
        manager.Dispose();
        other.AcquireRouterLock("r1", "job-9").Should().BeTrue();

        var act = manager.Dispose;

        act.Should().NotThrow();
        _context.RouterSemaphoreValue("r1").Should().Be(0, "the second Dispose released nothing it no longer held");
    }

    [Fact]
    public void Dispose_WakesRouterWaitersOfOtherManagers()
    {
        var holder = _context.CreateManager();
        var waiter = _context.CreateManager();
        holder.AcquireRouterLock("r1", "job-1");
        var result = false;
        using var returned = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            result = waiter.WaitForRouter("r1", TimeSpan.FromSeconds(30));
            returned.Set();
        });
        thread.Start();
        returned.Wait(TimeSpan.FromMilliseconds(300)).Should().BeFalse();

        holder.Dispose();

        returned.Wait(TimeSpan.FromSeconds(5)).Should().BeTrue();
        result.Should().BeTrue();
    }

    public static TheoryData<string, Action<RegistryManager>> EveryOperation => new()
    {
        { "CheckAndRegisterHost", m => m.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01") },
        { "UnregisterHost", m => m.UnregisterHost("web-1") },
        { "GetHostInfo", m => m.GetHostInfo("web-1") },
        { "ListAllHosts", m => m.ListAllHosts() },
        { "AcquireSourceHostLease", m => m.AcquireSourceHostLease("run-1", "web-1", "quick", "r1") },
        { "ReleaseSourceHostLease", m => m.ReleaseSourceHostLease("run-1", "web-1") },
        { "GetHostLeaseCount", m => m.GetHostLeaseCount("web-1") },
        { "ListHostLeases", m => m.ListHostLeases() },
        { "AcquireRouterLock", m => m.AcquireRouterLock("r1", "job-1") },
        { "ReleaseRouterLock", m => m.ReleaseRouterLock("r1", "job-1") },
        { "IsRouterLocked", m => m.IsRouterLocked("r1") },
        { "GetRouterLockOwner", m => m.GetRouterLockOwner("r1") },
        { "AcquireAllRouterLocksAtomic", m => m.AcquireAllRouterLocksAtomic(["r1"], "job-1") },
        { "ReleaseAllRouterLocks", m => m.ReleaseAllRouterLocks(["r1"], "job-1") },
        { "RouterLock", m => m.RouterLock("r1", "job-1") },
        { "AllRouterLocks", m => m.AllRouterLocks(["r1"], "job-1") },
        { "WaitForRouter", m => m.WaitForRouter("r1") },
        { "WaitForAllRouters", m => m.WaitForAllRouters(["r1"]) },
        { "AcquireNeighborLease", m => m.AcquireNeighborLease("run-1", "web-1", "10.0.0.1") },
        { "ReleaseNeighborLease", m => m.ReleaseNeighborLease("run-1", "web-1", "10.0.0.1") },
    };

    [Theory]
    [MemberData(nameof(EveryOperation))]
    public void Operation_AfterDispose_ThrowsObjectDisposed(string operation, Action<RegistryManager> call)
    {
        var manager = _context.CreateManager();
        manager.Dispose();

        var act = () => call(manager);

        act.Should().Throw<ObjectDisposedException>(operation);
    }

    public static TheoryData<string, Action<RegistryManager>> InvalidCalls => new()
    {
        { "hostName", m => m.CheckAndRegisterHost("../web", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01") },
        { "hostName", m => m.CheckAndRegisterHost(string.Empty, "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01") },
        { "primaryIp", m => m.CheckAndRegisterHost("web-1", "10.1", "r1", "aa:bb:cc:dd:ee:01") },
        { "primaryIp", m => m.CheckAndRegisterHost("web-1", "010.0.0.1", "r1", "aa:bb:cc:dd:ee:01") },
        { "primaryIp", m => m.CheckAndRegisterHost("web-1", "10.0.0.1/33", "r1", "aa:bb:cc:dd:ee:01") },
        { "primaryIp", m => m.CheckAndRegisterHost("web-1", "::1/129", "r1", "aa:bb:cc:dd:ee:01") },
        { "connectedTo", m => m.CheckAndRegisterHost("web-1", "10.0.0.1", "r/1", "aa:bb:cc:dd:ee:01") },
        { "macAddress", m => m.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee") },
        { "macAddress", m => m.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb-cc:dd:ee:ff") },
        { "additionalInfo", m => m.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01", new Dictionary<string, object?> { ["mac_address"] = "x" }) },
        { "hostName", m => m.UnregisterHost("a b") },
        { "hostName", m => m.GetHostInfo("a\0b") },
        { "hostName", m => m.ListHostLeases("..") },
        { "runId", m => m.AcquireSourceHostLease(string.Empty, "web-1", "quick", "r1") },
        { "jobType", m => m.AcquireSourceHostLease("run-1", "web-1", "quick job", "r1") },
        { "routerName", m => m.AcquireSourceHostLease("run-1", "web-1", "quick", "r:1") },
        { "dscp", m => m.AcquireSourceHostLease("run-1", "web-1", "quick", "r1", 64) },
        { "runId", m => m.ReleaseSourceHostLease("run/1", "web-1") },
        { "routerName", m => m.AcquireRouterLock("../../etc/passwd", "job-1") },
        { "jobId", m => m.AcquireRouterLock("r1", "job 1") },
        { "timeout", m => m.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(-1)) },
        { "routerName", m => m.ReleaseRouterLock("r/1", "job-1") },
        { "routerName", m => m.IsRouterLocked(new string('r', NameRules.MaxNameLength + 1)) },
        { "routerNames", m => m.AcquireAllRouterLocksAtomic(["r1", "r 2"], "job-1") },
        { "routerNames", m => m.AcquireAllRouterLocksAtomic([], "job-1") },
        { "timeout", m => m.AcquireAllRouterLocksAtomic(["r1"], "job-1", TimeSpan.FromDays(30)) },
        { "routerNames", m => m.ReleaseAllRouterLocks(["r1", "/r2"], "job-1") },
        { "routerNames", m => m.AllRouterLocks([], "job-1") },
        { "timeout", m => m.RouterLock("r1", "job-1", TimeSpan.FromMilliseconds(-5)) },
        { "timeout", m => m.WaitForRouter("r1", TimeSpan.FromMilliseconds(-5)) },
        { "routerNames", m => m.WaitForAllRouters([]) },
        { "neighborIp", m => m.AcquireNeighborLease("run-1", "web-1", "1.2.3") },
        { "hostName", m => m.AcquireNeighborLease("run-1", "web:1", "10.0.0.1") },
        { "neighborIp", m => m.ReleaseNeighborLease("run-1", "web-1", "fe80::1%eth0") },
    };

    [Theory]
    [MemberData(nameof(InvalidCalls))]
    public void Operation_InvalidArgument_ThrowsNamingItAndWritesNothing(string parameter, Action<RegistryManager> call)
    {
        var manager = _context.CreateManager();
        manager.CheckAndRegisterHost("web-1", "10.0.0.10", "r1", "aa:bb:cc:dd:ee:10");
        manager.AcquireSourceHostLease("run-1", "web-1", "quick", "r1");
        manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.1");
        var before = _context.Snapshot();
        var semaphoresBefore = _context.SemaphoreFiles();

        var act = () => call(manager);

        act.Should().Throw<ArgumentException>().WithParameterName(parameter).WithMessage($"{parameter}*");
        _context.Snapshot().Should().Equal(before);
        _context.SemaphoreFiles().Should().BeEquivalentTo(semaphoresBefore, "no semaphore is created for a bad name");
    }

    [Fact]
    public void Operation_InvalidArgumentOnFreshRegistry_CreatesNoRegistryFile()
    {
        var manager = _context.CreateManager();

        var act = () => manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "not-a-mac");

        act.Should().Throw<ArgumentException>().WithParameterName("macAddress");
        Directory.GetFiles(_context.RegistryDirectory).Should().BeEmpty();
        Directory.GetFileSystemEntries(_context.LockDirectory).Should().BeEmpty();
        _context.SemaphoreFiles().Should().BeEmpty();
    }

    [Fact]
    public void Operation_NullArgument_ThrowsArgumentNullNamingIt()
    {
        var manager = _context.CreateManager();

        ((Action)(() => manager.CheckAndRegisterHost(null!, "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01")))
            .Should().Throw<ArgumentNullException>().WithParameterName("hostName");
        ((Action)(() => manager.AcquireAllRouterLocksAtomic(null!, "job-1")))
            .Should().Throw<ArgumentNullException>().WithParameterName("routerNames");
        ((Action)(() => manager.AcquireNeighborLease("run-1", "web-1", null!)))
            .Should().Throw<ArgumentNullException>().WithParameterName("neighborIp");
    }

    [Fact]
    public void Properties_ReportConfiguration()
    {
        var manager = _context.CreateManager();

        manager.RegistryDirectory.Should().Be(_context.RegistryDirectory);
        manager.LockDirectory.Should().Be(_context.LockDirectory);
        manager.SemaphorePrefix.Should().Be(_context.Prefix);
    }

    [Fact]
    public void Semaphores_UseConfiguredPrefixAndSpecificationNames()
    {
        var manager = _context.CreateManager();

        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01");
        manager.AcquireSourceHostLease("run-1", "web-1", "quick", "r1");
        manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.2");
        manager.AcquireRouterLock("r1", "job-1");

        _context.SemaphoreFiles().Select(Path.GetFileName).Should().BeEquivalentTo(
            $"sem.{_context.Prefix}-hosts-registry",
            $"sem.{_context.Prefix}-host-leases",
            $"sem.{_context.Prefix}-neighbor-leases",
            $"sem.{_context.Prefix}-router-r1");
        File.GetUnixFileMode($"/dev/shm/sem.{_context.Prefix}-router-r1").Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        RegistryTestContext.SemaphoreValue(_context.HostsLockName).Should().Be(1, "registry locks are held only inside a call");
        RegistryTestContext.SemaphoreValue(_context.HostLeasesLockName).Should().Be(1);
        RegistryTestContext.SemaphoreValue(_context.NeighborLeasesLockName).Should().Be(1);
    }
}
