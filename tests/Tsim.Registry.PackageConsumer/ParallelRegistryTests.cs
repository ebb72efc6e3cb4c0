using Tsim.Registry.Testing;
using Xunit;

namespace JobRunner.Tests;

// Sixteen classes, each in a collection of its own, so xunit runs them in parallel (xunit.runner.json allows 16
// threads), each with a TemporaryRegistry as its class fixture. Each registers the same host name, IP and MAC and locks
// the same router, which would collide if two registries were one; once all have done so (or the wait gives up, when a
// run is filtered to fewer classes), each must still see only its own host and its own lock.
public abstract class ParallelRegistryTests(TemporaryRegistry registry, int index)
{
    private const int Classes = 16;
    private static readonly TaskCompletionSource AllHold = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static int holding;

    [Fact]
    public async Task SameHostAndRouterInEveryRegistry_EachSeesOnlyItsOwn()
    {
        var manager = registry.Manager;
        var job = $"job-{index}";
        Assert.True(manager.TryRegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a", new Dictionary<string, object?> { ["registry"] = index }).IsRegistered);
        Assert.True(await manager.AcquireRouterLockAsync("router-1", job, TimeSpan.Zero));

        if (Interlocked.Increment(ref holding) == Classes)
        {
            AllHold.SetResult();
        }

        try
        {
            await AllHold.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException) when (Environment.GetEnvironmentVariable("EXPECT_ALL_16_AT_ONCE") is null)
        {
            // A filtered run: fewer classes than 16 ever hold at once. (The packaging test sets the variable.)
        }

        var hosts = manager.ListAllHosts();
        Assert.Equal(["web-1"], hosts.Keys);
        Assert.Equal(index, hosts["web-1"].AdditionalInfo["registry"].GetInt32());
        Assert.Equal(job, manager.GetRouterLockOwner("router-1")?.JobId);
        Assert.True(manager.ReleaseRouterLock("router-1", job));
    }
}

[Collection("registry-01")]
public sealed class ParallelRegistry01(TemporaryRegistry registry) : ParallelRegistryTests(registry, 1), IClassFixture<TemporaryRegistry>;

[Collection("registry-02")]
public sealed class ParallelRegistry02(TemporaryRegistry registry) : ParallelRegistryTests(registry, 2), IClassFixture<TemporaryRegistry>;

[Collection("registry-03")]
public sealed class ParallelRegistry03(TemporaryRegistry registry) : ParallelRegistryTests(registry, 3), IClassFixture<TemporaryRegistry>;

[Collection("registry-04")]
public sealed class ParallelRegistry04(TemporaryRegistry registry) : ParallelRegistryTests(registry, 4), IClassFixture<TemporaryRegistry>;

[Collection("registry-05")]
public sealed class ParallelRegistry05(TemporaryRegistry registry) : ParallelRegistryTests(registry, 5), IClassFixture<TemporaryRegistry>;

[Collection("registry-06")]
public sealed class ParallelRegistry06(TemporaryRegistry registry) : ParallelRegistryTests(registry, 6), IClassFixture<TemporaryRegistry>;

[Collection("registry-07")]
public sealed class ParallelRegistry07(TemporaryRegistry registry) : ParallelRegistryTests(registry, 7), IClassFixture<TemporaryRegistry>;

[Collection("registry-08")]
public sealed class ParallelRegistry08(TemporaryRegistry registry) : ParallelRegistryTests(registry, 8), IClassFixture<TemporaryRegistry>;

[Collection("registry-09")]
public sealed class ParallelRegistry09(TemporaryRegistry registry) : ParallelRegistryTests(registry, 9), IClassFixture<TemporaryRegistry>;

[Collection("registry-10")]
public sealed class ParallelRegistry10(TemporaryRegistry registry) : ParallelRegistryTests(registry, 10), IClassFixture<TemporaryRegistry>;

[Collection("registry-11")]
public sealed class ParallelRegistry11(TemporaryRegistry registry) : ParallelRegistryTests(registry, 11), IClassFixture<TemporaryRegistry>;

[Collection("registry-12")]
public sealed class ParallelRegistry12(TemporaryRegistry registry) : ParallelRegistryTests(registry, 12), IClassFixture<TemporaryRegistry>;

[Collection("registry-13")]
public sealed class ParallelRegistry13(TemporaryRegistry registry) : ParallelRegistryTests(registry, 13), IClassFixture<TemporaryRegistry>;

[Collection("registry-14")]
public sealed class ParallelRegistry14(TemporaryRegistry registry) : ParallelRegistryTests(registry, 14), IClassFixture<TemporaryRegistry>;

[Collection("registry-15")]
public sealed class ParallelRegistry15(TemporaryRegistry registry) : ParallelRegistryTests(registry, 15), IClassFixture<TemporaryRegistry>;

[Collection("registry-16")]
public sealed class ParallelRegistry16(TemporaryRegistry registry) : ParallelRegistryTests(registry, 16), IClassFixture<TemporaryRegistry>;
