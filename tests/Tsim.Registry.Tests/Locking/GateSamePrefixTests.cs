using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary>
/// One prefix, one lock directory (<see cref="PrefixBinding"/>). Semaphores are named by the prefix alone, owner records
/// and recovery guards live in the lock directory: two lock directories on one prefix share the semaphores but not the
/// records. A gated acquirer of one directory then took the other's live hold for a dead one and posted it (the value
/// ended at 2), and a recovery by gate in one directory left the dead holder's record in the other, where a recovery by
/// record later posted the semaphore again under a live holder. A manager of a second lock directory is now refused at
/// its first lock, and the holder keeps its lock.
/// </summary>
public sealed class GateSamePrefixTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void ASecondLockDirectoryOnOnePrefix_IsRefusedAtItsFirstLock_AndTheHolderKeepsItsLock(bool holderSharedWithPython, bool anotherRegistry)
    {
        var first = _context.CreateManager(o => o.SharedWithPython = holderSharedWithPython);
        var second = _context.CreateManager(o =>
        {
            o.SharedWithPython = false;
            if (anotherRegistry)
            {
                o.RegistryDirectory = Path.Combine(_context.RegistryDirectory, "second-registry");
            }
            else
            {
                o.LockDirectory = Path.Combine(_context.RegistryDirectory, "other-locks");
            }
        });
        first.AcquireRouterLock("r1", "job-first").Should().BeTrue();

        var act = () => second.AcquireRouterLock("r1", "job-second", TimeSpan.FromMilliseconds(200));

        act.Should().Throw<RegistryException>().WithMessage($"Semaphore prefix '{_context.Prefix}' is in use with lock directory '{_context.LockDirectory}'*another semaphore prefix*");
        _context.RouterSemaphoreValue("r1").Should().Be(0, "the holder keeps its lock");
        first.ReleaseRouterLock("r1", "job-first").Should().BeTrue();
        _context.RouterSemaphoreValue("r1").Should().Be(1);
    }

    [Fact]
    public void ABindingWhoseLockDirectoryIsGone_IsTakenOver()
    {
        var retired = Path.Combine(_context.RegistryDirectory, "retired-locks");
        var old = _context.CreateManager(o => o.LockDirectory = retired);
        old.AcquireRouterLock("r1", "job").Should().BeTrue();
        old.ReleaseRouterLock("r1", "job").Should().BeTrue();
        old.Dispose();
        Directory.Delete(retired, recursive: true);

        var manager = _context.CreateManager();

        manager.AcquireRouterLock("r1", "job").Should().BeTrue();
        File.ReadAllText(_context.BindingPath).Should().EndWith(_context.LockDirectory + "\n");
        manager.ReleaseRouterLock("r1", "job").Should().BeTrue();
    }
}
