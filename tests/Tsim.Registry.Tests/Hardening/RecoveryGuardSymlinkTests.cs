using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Locking;
using Tsim.Registry.Security;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Hardening;

/// <summary>
/// The recovery guard (<c>.LOCK.recovery</c> in the lock directory) is opened like every other file there: never
/// through a symlink. In group mode any group member can plant one; following it would create files behind the
/// link, flock them, and chmod them 0660 (<see cref="AccessPolicy.ApplyToNewFile"/>).
/// </summary>
public sealed class RecoveryGuardSymlinkTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void Recovery_GuardNameIsSymlink_RefusesAndCreatesNothingBehindIt()
    {
        var manager = _context.CreateManager(o => o.LockProbeIntervalSeconds = 0.01);
        var lockName = LockName.Router(_context.Prefix, "r1");
        _context.OpenSemaphore(lockName.Value).TryWait().Should().BeTrue("a holder that is about to die");
        new LockFiles(_context.LockDirectory, NullLogger.Instance).WriteLegacyOwnerRecord(lockName, DeadOwner(lockName));
        var elsewhere = Directory.CreateDirectory(Path.Combine(_context.RegistryDirectory, "elsewhere")).FullName;
        var target = Path.Combine(elsewhere, "created-behind-the-link");
        var guard = Path.Combine(_context.LockDirectory, $".{lockName.Value}.recovery");
        File.CreateSymbolicLink(guard, target);

        var act = () => manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(30));

        act.Should().Throw<RegistryException>().WithMessage($"*'{guard}' is a symbolic link*");
        Path.Exists(target).Should().BeFalse("opening the guard must not follow the link and create its target");
        FileStatus.Of(guard).IsSymlink.Should().BeTrue();
        _context.RouterSemaphoreValue("r1").Should().Be(0, "nothing was recovered through a planted link");
    }

    private static OwnerRecord DeadOwner(LockName lockName)
    {
        using var exited = Process.Start("true") ?? throw new InvalidOperationException("could not start 'true'");
        exited.WaitForExit();
        return new OwnerRecord
        {
            Lock = lockName.Value,
            JobId = "dead-job",
            Pid = exited.Id,
            StartTime = 1,
            PidNamespace = ProcessIdentity.Current.PidNamespace,
            AcquiredAt = DateTimeOffset.UtcNow,
        };
    }
}
