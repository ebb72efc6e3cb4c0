using Microsoft.VisualStudio.TestTools.UnitTesting;
using Tsim.Registry.Testing;

[assembly: Parallelize(Workers = 8, Scope = ExecutionScope.MethodLevel)]

namespace JobRunner.Tests;

// Eight tests run at once (method-level parallelism, eight workers), each with a TemporaryRegistry made in
// [TestInitialize] and disposed in [TestCleanup] (MSTest makes one instance of the class per test). Each registers the
// same host and locks the same router, which would collide if two registries were one; once all hold, each must still
// see only its own.
[TestClass]
public sealed class ParallelRegistryTests
{
    private const int Tests = 8;
    private static readonly CountdownEvent AllHold = new(Tests);
    private TemporaryRegistry _registry = null!;

    [TestInitialize]
    public void CreateRegistry() => _registry = new TemporaryRegistry();

    [TestCleanup]
    public void DisposeRegistry()
    {
        _registry.Dispose();
        Assert.IsFalse(Directory.Exists(_registry.Directory));
        Assert.IsEmpty(Directory.GetFiles("/dev/shm", $"sem.{_registry.SemaphorePrefix}-*"));
    }

    [TestMethod]
    public void Registry1() => SameHostAndRouterInEveryRegistry_EachSeesOnlyItsOwn(1);

    [TestMethod]
    public void Registry2() => SameHostAndRouterInEveryRegistry_EachSeesOnlyItsOwn(2);

    [TestMethod]
    public void Registry3() => SameHostAndRouterInEveryRegistry_EachSeesOnlyItsOwn(3);

    [TestMethod]
    public void Registry4() => SameHostAndRouterInEveryRegistry_EachSeesOnlyItsOwn(4);

    [TestMethod]
    public void Registry5() => SameHostAndRouterInEveryRegistry_EachSeesOnlyItsOwn(5);

    [TestMethod]
    public void Registry6() => SameHostAndRouterInEveryRegistry_EachSeesOnlyItsOwn(6);

    [TestMethod]
    public void Registry7() => SameHostAndRouterInEveryRegistry_EachSeesOnlyItsOwn(7);

    [TestMethod]
    public void Registry8() => SameHostAndRouterInEveryRegistry_EachSeesOnlyItsOwn(8);

    private void SameHostAndRouterInEveryRegistry_EachSeesOnlyItsOwn(int index)
    {
        var manager = _registry.Manager;
        var job = $"job-{index}";
        Assert.IsTrue(manager.TryRegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a", new Dictionary<string, object?> { ["test"] = index }).IsRegistered);
        Assert.IsTrue(manager.AcquireRouterLock("router-1", job, TimeSpan.Zero));

        AllHold.Signal();
        var all = AllHold.Wait(TimeSpan.FromSeconds(60));
        Assert.IsTrue(all || Environment.GetEnvironmentVariable("EXPECT_ALL_AT_ONCE") is null, "every test held its registry at once");

        var hosts = manager.ListAllHosts();
        CollectionAssert.AreEqual(new[] { "web-1" }, hosts.Keys.ToArray());
        Assert.AreEqual(index, hosts["web-1"].AdditionalInfo["test"].GetInt32());
        Assert.AreEqual(job, manager.GetRouterLockOwner("router-1")?.JobId);
    }
}
