using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Tests.Testing;

/// <summary>
/// The second adversarial review of <see cref="TemporaryRegistry"/> and the DI interfaces: tests that demonstrate a
/// defect left by the first review's fixes. Each one fails on the code as reviewed.
/// </summary>
public sealed class TemporaryRegistryReview2Tests
{
    /// <summary>
    /// RemoveLeftovers skips a leftover that IS a symlink, and .NET's recursive delete unlinks symlinks it finds inside;
    /// but the walk is by path (readdir, then opendir of PARENT/NAME), so a directory inside the leftover that is
    /// replaced by a symlink between the two is followed, and files outside the leftover are deleted. Anyone who can
    /// write /dev/shm can plant a "leftover" of an exited pid and swap a subdirectory while the cleanup (often run as
    /// root in CI: tsim-registry remove-temporary) walks it. Expected: nothing outside the leftover is ever deleted
    /// (delete with openat(O_NOFOLLOW|O_DIRECTORY)/unlinkat relative to directory handles, and leave alone leftovers
    /// not owned by the caller). The swap runs on a thread of its own; the test stops at the first trial that loses a
    /// file outside the leftover (with the atomic exchange below, usually the first).
    /// </summary>
    [Fact]
    public void RemoveLeftovers_SubdirectorySwappedForASymlinkDuringTheDelete_NeverDeletesOutsideTheLeftover()
    {
        using var scratch = new TemporaryRegistry();
        var parent = Path.Combine(scratch.Directory, "parent");
        var outside = Path.Combine(scratch.Directory, "outside");
        var exited = ExitedProcess();
        var lost = 0;
        for (var trial = 0; trial < 1000 && lost == 0; trial++)
        {
            Directory.CreateDirectory(outside);
            for (var i = 0; i < 50; i++)
            {
                File.WriteAllText(Path.Combine(outside, $"precious-{i}"), "x");
            }

            var leftover = Path.Combine(parent, $"{TemporaryRegistry.PrefixStart}{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}.{exited.FileNameForm}");
            var sub = Path.Combine(leftover, "registry");
            var link = Path.Combine(leftover, ".link");
            Directory.CreateDirectory(sub);
            for (var i = 0; i < 200; i++)
            {
                File.WriteAllText(Path.Combine(leftover, $"f{i}"), "x");
            }

            for (var i = 0; i < 50; i++)
            {
                File.WriteAllText(Path.Combine(sub, $"r{i}"), "x");
            }

            Directory.CreateSymbolicLink(link, outside);
            var stop = 0;

            // renameat2(RENAME_EXCHANGE): 'registry' is the directory, then the symlink, then the directory, ... until
            // the cleanup has removed one of the two names.
            var swapper = new Thread(() =>
            {
                while (Volatile.Read(ref stop) == 0 &&
                    Tsim.Registry.Interop.Libc.RenameAt2(Tsim.Registry.Interop.StatxConstants.AT_FDCWD, sub, Tsim.Registry.Interop.StatxConstants.AT_FDCWD, link, RenameExchange) == 0)
                {
                }
            });
            swapper.Start();
            try
            {
                _ = TemporaryRegistry.RemoveLeftovers(parent);
            }
            finally
            {
                Volatile.Write(ref stop, 1);
                swapper.Join();
            }

            lost = 50 - Directory.GetFiles(outside).Length;
            Directory.Delete(parent, recursive: true);
            Directory.Delete(outside, recursive: true);
        }

        lost.Should().Be(0, "RemoveLeftovers must never delete files outside the leftover it removes");
    }

    /// <summary>
    /// The first review's fix registers the interfaces as the user's instance only when that instance was registered
    /// BEFORE AddTsimRegistry. Registered after (services.AddTsimRegistry(registry.Configure); services.AddSingleton(registry.Manager);
    /// an ordinary order), RegistryManager resolves to the user's instance (last registration wins) while the interfaces
    /// are factories forwarding to it, so the container disposes the fixture's manager and releases its locks.
    /// Expected: the container never disposes an instance it was given, whatever the order (forward through a
    /// non-owning wrapper, or decide at resolution time which descriptor serves RegistryManager).
    /// </summary>
    [Fact]
    public void AddTsimRegistry_ManagerInstanceRegisteredAfter_IsNotDisposedByTheContainer()
    {
        using var registry = new TemporaryRegistry();
        var shared = registry.Manager;
        shared.AcquireRouterLock("router-1", "job-1").Should().BeTrue();
        var services = new ServiceCollection();
        services.AddTsimRegistry(registry.Configure);
        services.AddSingleton(shared);

        using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<RegistryManager>().Should().BeSameAs(shared);
            provider.GetRequiredService<IRouterLocks>().Should().BeSameAs(shared);
        }

        shared.Invoking(m => m.IsRouterLocked("router-1")).Should().NotThrow("the container did not create the instance it was given");
        shared.IsRouterLocked("router-1").Should().BeTrue("its owner still holds router-1");
    }

    /// <summary>As above, with the instance registered as <see cref="IRegistryManager"/> after AddTsimRegistry.</summary>
    [Fact]
    public void AddTsimRegistry_InterfaceInstanceRegisteredAfter_IsNotDisposedByTheContainer()
    {
        using var registry = new TemporaryRegistry();
        var shared = registry.Manager;
        shared.AcquireRouterLock("router-1", "job-1").Should().BeTrue();
        var services = new ServiceCollection();
        services.AddTsimRegistry(registry.Configure);
        services.AddSingleton<IRegistryManager>(shared);

        using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IRouterLocks>().Should().BeSameAs(shared);
        }

        shared.Invoking(m => m.IsRouterLocked("router-1")).Should().NotThrow("the container did not create the instance it was given");
    }

    /// <summary>renameat2(2) flag: exchange the two names atomically.</summary>
    private const uint RenameExchange = 2;

    /// <summary>An identity of a process that has exited: a pid that no longer runs, with a start time it never had.</summary>
    private static ProcessIdentity ExitedProcess()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        process.WaitForExit();
        var current = ProcessIdentity.Current;
        return new ProcessIdentity(process.Id, current.StartTime + 1, current.PidNamespace);
    }
}
