using NUnit.Framework;
using Tsim.Registry.Testing;

[assembly: LevelOfParallelism(8)]

namespace JobRunner.Tests;

// Eight tests run at once (ParallelScope.All, eight workers), each with a TemporaryRegistry made in [SetUp] and
// disposed in [TearDown] (NUnit keeps one instance per test with FixtureLifeCycle InstancePerTestCase). Each registers the same
// host and locks the same router, which would collide if two registries were one; once all hold, each must still see
// only its own.
[Parallelizable(ParallelScope.All)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class ParallelRegistryTests
{
    private const int Tests = 8;
    private static readonly CountdownEvent AllHold = new(Tests);
    private TemporaryRegistry _registry = null!;

    [SetUp]
    public void CreateRegistry() => _registry = new TemporaryRegistry();

    [TearDown]
    public void DisposeRegistry()
    {
        _registry.Dispose();
        Assert.That(Directory.Exists(_registry.Directory), Is.False);
        Assert.That(Directory.GetFiles("/dev/shm", $"sem.{_registry.SemaphorePrefix}-*"), Is.Empty);
    }

    [Test]
    public void SameHostAndRouterInEveryRegistry_EachSeesOnlyItsOwn([Range(1, Tests)] int index)
    {
        var manager = _registry.Manager;
        var job = $"job-{index}";
        Assert.That(manager.TryRegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a", new Dictionary<string, object?> { ["test"] = index }).IsRegistered);
        Assert.That(manager.AcquireRouterLock("router-1", job, TimeSpan.Zero));

        AllHold.Signal();
        var all = AllHold.Wait(TimeSpan.FromSeconds(60));
        Assert.That(all || Environment.GetEnvironmentVariable("EXPECT_ALL_AT_ONCE") is null, "every test held its registry at once");

        var hosts = manager.ListAllHosts();
        Assert.That(hosts.Keys, Is.EqualTo(new[] { "web-1" }));
        Assert.That(hosts["web-1"].AdditionalInfo["test"].GetInt32(), Is.EqualTo(index));
        Assert.That(manager.GetRouterLockOwner("router-1")?.JobId, Is.EqualTo(job));
    }
}
