using FluentAssertions.Execution;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary>
/// Gates and lock directories: the semaphore lives in <c>/dev/shm</c> and is named by the prefix alone, so two managers with
/// the same prefix and two lock directories share it. The gate and the shared-with-Python mark must therefore live on
/// the semaphore's own file: in the lock directory (where they were first), each manager's gate was free for the other,
/// and a gated acquirer took the other's live hold for a dead one and posted it.
/// </summary>
/// <remarks>
/// Such a configuration (two registries on one host with the default prefix <c>tsim</c>, or one process of a registry
/// given another <c>lock_dir</c>) only makes the two registries' locks exclude each other: a waiter reads its own lock
/// directory, finds no record and does not recover by record. A gate in the lock directory broke mutual exclusion there,
/// and the two releases left the semaphore at 2, so every later acquisition could be a double grant too.
/// </remarks>
public sealed class GateSamePrefixTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void TwoRegistriesWithOnePrefix_NotSharedWithPython_NeverGrantOneRouterTwice()
    {
        var first = _context.CreateManager(o => o.SharedWithPython = false);
        var second = _context.CreateManager(o =>
        {
            o.SharedWithPython = false;
            o.RegistryDirectory = Path.Combine(_context.RegistryDirectory, "second-registry");
        });

        first.AcquireRouterLock("r1", "job-first").Should().BeTrue();

        // The same semaphore (/dev/shm/sem.PREFIX-router-r1) is held by a live process, so this must time out, as it did
        // before the gates.
        var secondGranted = second.AcquireRouterLock("r1", "job-second", TimeSpan.FromMilliseconds(500));

        if (secondGranted)
        {
            second.ReleaseRouterLock("r1", "job-second");
        }

        first.ReleaseRouterLock("r1", "job-first");
        var value = _context.RouterSemaphoreValue("r1");

        using (new AssertionScope())
        {
            secondGranted.Should().BeFalse("router r1's semaphore is held by a live manager; granting it again is a double grant");
            value.Should().Be(1, "a value above 1 is a double grant waiting to happen");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneRegistry_AManagerWithAnotherLockDirectory_NeverGetsTheRouterOfALiveHolder(bool holderSharedWithPython)
    {
        // One registry, one prefix; one manager configured with another lock_dir (the setting tsim may not read, see
        // README "Joining an existing tsim host"; or the CLI run without the service's --config). Its gate and mark are
        // in that other directory. With holderSharedWithPython the holder takes no gate but holds the shared-with-Python
        // mark, which the gated acquirer looks for only in its own lock directory.
        var first = _context.CreateManager(o => o.SharedWithPython = holderSharedWithPython);
        var second = _context.CreateManager(o =>
        {
            o.SharedWithPython = false;
            o.LockDirectory = Path.Combine(_context.RegistryDirectory, "other-locks");
            o.LockTimeouts.RouterLockSeconds = 0.5;
        });

        first.AcquireRouterLock("r1", "job-first").Should().BeTrue();
        var secondGranted = second.AcquireRouterLock("r1", "job-second");
        if (secondGranted)
        {
            second.ReleaseRouterLock("r1", "job-second");
        }

        first.ReleaseRouterLock("r1", "job-first");

        using (new AssertionScope())
        {
            secondGranted.Should().BeFalse("the router's semaphore is held by a live manager of the same registry");
            _context.RouterSemaphoreValue("r1").Should().Be(1);
        }
    }
}
