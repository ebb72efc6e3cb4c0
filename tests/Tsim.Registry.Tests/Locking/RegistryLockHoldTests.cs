using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary><see cref="RegistryLockHold"/> releases its own hold, once, never a later call's hold of the same lock.</summary>
public sealed class RegistryLockHoldTests : IDisposable
{
    private static readonly LockTimeout s_short = LockTimeout.FromSeconds(0.1);

    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    /// <summary>
    /// Every registry hold of a process has the job id <c>registry-PID</c>: a hold released by name and job would let a
    /// second Dispose of an earlier hold (or of a copy of it) release whichever call holds the lock now, posting under
    /// that call's write. It failed so before the hold released by reference.
    /// </summary>
    [Fact]
    public void Dispose_Twice_NeverReleasesALaterCallsHoldOfTheSameLock()
    {
        var locks = _context.CreateLockManager();
        var name = LockName.HostsRegistry(_context.Prefix);

        var first = locks.AcquireRegistryLock(name, s_short);
        var copy = first;
        first.Dispose();

        // A later call of this manager (another thread in real life) now holds the lock and is writing hosts.json.
        var second = locks.AcquireRegistryLock(name, s_short);

        copy.Dispose(); // A stray second release of the first hold.

        RegistryTestContext.SemaphoreValue(_context.HostsLockName).Should().Be(0, "the second call still holds the hosts lock");
        second.Dispose();
        RegistryTestContext.SemaphoreValue(_context.HostsLockName).Should().Be(1, "each hold released its lock once");
    }
}
