using Microsoft.Extensions.DependencyInjection;

namespace Tsim.Registry.Tests.Testing;

/// <summary>
/// What an adversarial review of <see cref="TemporaryRegistry"/> and the DI interfaces tried: lookalike and symlinked
/// leftovers, group-mode bindings, an unnormalised parent, a manager instance shared with a container, Dispose racing
/// acquisitions. Each test pins the behaviour the review asked for.
/// </summary>
public sealed class TemporaryRegistryReviewTests
{
    /// <summary>
    /// RemoveLeftovers judges a directory by its name alone and then unlinks every semaphore of the prefix that name
    /// claims. A directory (or symlink) named after a LIVE registry's prefix and an exited pid, planted by anyone who can
    /// write the parent (/dev/shm is world-writable), makes the sweep unlink the live registry's semaphores, its held
    /// router lock included. Expected: semaphores whose binding names a lock directory that exists and is not inside the
    /// directory being removed are left alone.
    /// </summary>
    [Fact]
    public void RemoveLeftovers_LookalikeDirectoryNamingALiveRegistrysPrefix_LeavesTheLiveRegistrysSemaphores()
    {
        using var scratch = new TemporaryRegistry();
        var parent = Path.Combine(scratch.Directory, "parent");
        using var live = TemporaryRegistry.Create(new TemporaryRegistryOptions { ParentDirectory = parent });
        live.Manager.AcquireRouterLock("router-1", "job-1").Should().BeTrue();
        var lookalike = Path.Combine(parent, $"{live.SemaphorePrefix}.{Leftovers.ExitedProcess().FileNameForm}");
        Directory.CreateDirectory(lookalike);

        var removed = TemporaryRegistry.RemoveLeftovers(parent);

        removed.Should().NotContain(f => f.StartsWith($"/dev/shm/sem.{live.SemaphorePrefix}-", StringComparison.Ordinal), "the registry of that prefix is alive");
        Directory.GetFiles("/dev/shm", $"sem.{live.SemaphorePrefix}-router-router-1").Should().ContainSingle("router-1 is still held by a live manager");
        live.Manager.IsRouterLocked("router-1").Should().BeTrue();
    }

    /// <summary>
    /// A parent given as '/x/parent/.' is the same parent: RemoveLeftovers normalises it, as Create does.
    /// </summary>
    [Fact]
    public void RemoveLeftovers_ParentNotNormalised_StillRemovesLeftovers()
    {
        using var scratch = new TemporaryRegistry();
        var parent = Path.Combine(scratch.Directory, "parent");
        var (prefix, directory) = Leftovers.Plant(parent, Leftovers.ExitedProcess());

        var removed = TemporaryRegistry.RemoveLeftovers(parent + "/.");

        removed.Should().Contain(directory);
        Directory.GetFiles("/dev/shm", $"sem.{prefix}-*").Should().BeEmpty("'{0}/.' is the same parent", parent);
    }

    /// <summary>
    /// A registry in group mode (ConfigureManagers sets Group, as a test of a shared registry does) left by an exited
    /// process: its binding is 0660, which RemoveLeftovers must still read to see that it is the registry's own.
    /// </summary>
    [Fact]
    public void RemoveLeftovers_GroupModeRegistryOfAnExitedProcess_IsRemovedWithItsSemaphores()
    {
        using var scratch = new TemporaryRegistry();
        var parent = Path.Combine(scratch.Directory, "parent");
        var (prefix, directory) = Leftovers.Plant(parent, Leftovers.ExitedProcess(), o => o.Group = "0"); // root's group, which the test user (root) is in.
        File.GetUnixFileMode($"/dev/shm/sem.{prefix}-lock-directory").Should().HaveFlag(UnixFileMode.GroupRead, "the binding is the group's");

        TemporaryRegistry.RemoveLeftovers(parent);

        Directory.Exists(directory).Should().BeFalse();
        Directory.GetFiles("/dev/shm", $"sem.{prefix}-*").Should().BeEmpty();
    }

    /// <summary>
    /// A test that shares one manager (a class fixture's <see cref="TemporaryRegistry.Manager"/>) with a container of
    /// its own registers the instance first, which AddTsimRegistry documents as "a registration made before this call
    /// wins". Resolving a role interface goes through a factory, and the container disposes what factories return:
    /// disposing the test's container disposes the fixture's manager, releasing the locks it holds.
    /// </summary>
    [Fact]
    public void AddTsimRegistry_ManagerInstanceRegisteredFirst_IsNotDisposedByTheContainer()
    {
        using var registry = new TemporaryRegistry();
        var shared = registry.Manager;
        shared.AcquireRouterLock("router-1", "job-1").Should().BeTrue();
        var services = new ServiceCollection();
        services.AddSingleton(shared);
        services.AddTsimRegistry(registry.Configure);

        using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IRouterLocks>().Should().BeSameAs(shared);
        }

        shared.Invoking(m => m.IsRouterLocked("router-1")).Should().NotThrow("the container did not create the instance it was given");
        shared.IsRouterLocked("router-1").Should().BeTrue("its owner still holds router-1");
    }

    /// <summary>A symlink in the parent named like a dead registry, or one inside a leftover, never reaches its target.</summary>
    [Fact]
    public void RemoveLeftovers_SymlinksNamedLikeLeftoversOrInsideThem_DoNotReachTheirTargets()
    {
        using var scratch = new TemporaryRegistry();
        var parent = Path.Combine(scratch.Directory, "parent");
        var target = Path.Combine(scratch.Directory, "target");
        Directory.CreateDirectory(Path.Combine(target, "sub"));
        File.WriteAllText(Path.Combine(target, "precious"), "x");
        File.WriteAllText(Path.Combine(target, "sub", "precious"), "x");
        var exited = Leftovers.ExitedProcess();
        Directory.CreateDirectory(parent);
        Directory.CreateSymbolicLink(Path.Combine(parent, $"tmpreg0123456789abcdef.{exited.FileNameForm}"), target);
        var leftover = Path.Combine(parent, $"tmpreg1111111111111111.{exited.FileNameForm}");
        Directory.CreateDirectory(Path.Combine(leftover, "registry"));
        Directory.CreateSymbolicLink(Path.Combine(leftover, "registry", "link"), Path.Combine(target, "sub"));

        TemporaryRegistry.RemoveLeftovers(parent);

        Directory.Exists(leftover).Should().BeFalse();
        File.Exists(Path.Combine(target, "precious")).Should().BeTrue();
        File.Exists(Path.Combine(target, "sub", "precious")).Should().BeTrue();
    }

    /// <summary>
    /// Dispose racing a router lock acquisition on one of the registry's managers (another thread of the test still
    /// using it: a fire-and-forget task, a test that timed out while its fixture is disposed). A manager's Dispose
    /// returns while the acquisition is still in flight, which could create its router semaphore after the registry
    /// unlinked the prefix's; the registry waits until its managers' lock layers are closed, so nothing is left.
    /// </summary>
    [Fact]
    public async Task Dispose_RacingARouterLockAcquisition_LeavesNoSemaphore()
    {
        var leaks = new List<string>();
        for (var round = 0; round < 200; round++)
        {
            var registry = new TemporaryRegistry();
            using var start = new Barrier(3);
            var outcomes = new string[2];
            var users = Enumerable.Range(0, 2).Select(i => Task.Run(() =>
            {
                start.SignalAndWait();
                try
                {
                    var manager = i == 0 ? registry.Manager : registry.CreateManager();
                    outcomes[i] = manager.AcquireRouterLock("router-1", $"job-{i}", TimeSpan.Zero) ? "acquired" : "busy";
                }
                catch (Exception ex)
                {
                    outcomes[i] = ex.GetType().Name;
                }
            })).ToArray();
            var disposer = Task.Run(() =>
            {
                start.SignalAndWait();
                registry.Dispose();
            });
            await Task.WhenAll([.. users, disposer]);

            var left = Directory.GetFiles("/dev/shm", $"sem.{registry.SemaphorePrefix}-*");
            if (left.Length > 0 || Directory.Exists(registry.Directory))
            {
                leaks.Add($"round {round}: acquisitions {string.Join("/", outcomes)}; left {string.Join(", ", left)}; directory exists: {Directory.Exists(registry.Directory)}");
                foreach (var file in left)
                {
                    File.Delete(file); // This test's own leak: removed, so that the run leaves nothing.
                }

                if (Directory.Exists(registry.Directory))
                {
                    Directory.Delete(registry.Directory, recursive: true);
                }
            }
        }

        leaks.Should().BeEmpty("Dispose removes every semaphore of the prefix, whatever a manager was doing");
    }

}
