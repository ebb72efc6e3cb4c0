using System.Diagnostics;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Hardening;

/// <summary>
/// Review of the presence-file lock files: the lock directory's file system out of inodes (a small tmpfs, as
/// /dev/shm limits can make it). A manager's first router acquisition must create its presence file; that fails. The
/// acquisition must fail as the API documents (RegistryException, as the lock-file write did before), give the
/// semaphore back and leave no record. Needs root (mount); does nothing otherwise.
/// </summary>
[Collection(SerialTests.Name)]
public sealed class PresenceFileFullDirectoryReviewTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly string _mount = Path.Combine(Path.GetTempPath(), "tsim-review-mnt-" + Guid.NewGuid().ToString("N"));
    private readonly bool _mounted;

    public PresenceFileFullDirectoryReviewTests()
    {
        Directory.CreateDirectory(_mount);
        _mounted = Run("mount", "-t", "tmpfs", "-o", "size=1m,nr_inodes=40", "tmpfs", _mount) == 0;
    }

    public void Dispose()
    {
        _context.Dispose();
        if (_mounted)
        {
            Run("umount", _mount);
        }

        Directory.Delete(_mount, recursive: true);
    }

    private static int Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        process.WaitForExit();
        return process.ExitCode;
    }

    [Fact]
    public void OutOfInodes_NewManagersFirstRouterAcquisition_FailsWithRegistryException_AndGivesTheLockBack()
    {
        if (!_mounted)
        {
            return;
        }

        var options = () => new RegistryManagerOptions { RegistryDirectory = Path.Combine(_mount, "reg"), SemaphorePrefix = _context.Prefix };
        var first = _context.Track(new RegistryManager(options()));
        first.AcquireRouterLock("r1", "job-1").Should().BeTrue(); // Slot, notify file and semaphore of r1 exist now.
        first.ReleaseRouterLock("r1", "job-1").Should().BeTrue();

        var filler = Path.Combine(_mount, "fill");
        Directory.CreateDirectory(filler);
        for (var i = 0; ; i++)
        {
            try
            {
                File.WriteAllBytes(Path.Combine(filler, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), []);
            }
            catch (IOException)
            {
                break;
            }
        }

        var second = _context.Track(new RegistryManager(options()));
        var acquire = () => second.AcquireRouterLock("r1", "job-2", TimeSpan.FromSeconds(1));
        Exception? failure = null;
        try
        {
            acquire();
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        failure.Should().NotBeNull("no inode is left for the presence file");
        _context.RouterSemaphoreValue("r1").Should().Be(1, "the failed acquisition gave the semaphore back");
        File.Exists(Path.Combine(_mount, "reg", "locks", _context.RouterLockName("r1"))).Should().BeFalse();
        // (tmpfs counts every link against nr_inodes, so the first manager cannot link either: RegistryException.)
        var firstAgain = () => first.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(1));
        firstAgain.Should().Throw<RegistryException>();
        _context.RouterSemaphoreValue("r1").Should().Be(1);
        failure.Should().BeAssignableTo<RegistryException>($"the API's failure type (got {failure!.GetType().FullName}: {failure.Message})");
    }

    /// <summary>
    /// A release needs only the lock directory, never a new file: with the manager's presence file removed and the file
    /// system out of inodes (so it cannot be made again), releasing a held router must still unlink its lock file and
    /// post, rather than throw after the hold left the table and keep the router held until the process exits.
    /// </summary>
    [Fact]
    public void OutOfInodes_AfterThePresenceFileWasRemoved_ReleasesStillSucceed()
    {
        if (!_mounted)
        {
            return;
        }

        var lockDirectory = Path.Combine(_mount, "reg", "locks");
        var manager = _context.Track(new RegistryManager(new RegistryManagerOptions { RegistryDirectory = Path.Combine(_mount, "reg"), SemaphorePrefix = _context.Prefix }));
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        manager.AcquireRouterLock("r3", "job-3").Should().BeTrue(); // Slot and notify file of r3 exist.
        manager.ReleaseRouterLock("r3", "job-3").Should().BeTrue();
        foreach (var presence in Directory.GetFiles(lockDirectory, ".presence-*"))
        {
            File.Delete(presence);
        }

        var filler = Path.Combine(_mount, "fill");
        Directory.CreateDirectory(filler);
        for (var i = 0; ; i++)
        {
            try
            {
                File.WriteAllBytes(Path.Combine(filler, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), []);
            }
            catch (IOException)
            {
                break;
            }
        }

        var acquireR3 = () => manager.AcquireRouterLock("r3", "job-3", TimeSpan.FromSeconds(1));
        acquireR3.Should().Throw<Exception>("no inode for a new presence file");

        Exception? failure = null;
        try
        {
            manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            failure = ex;
        }

        var value = _context.RouterSemaphoreValue("r1");
        failure.Should().BeNull($"removing r1's lock file needs no inode (got {failure?.GetType().FullName}: {failure?.Message}; r1's semaphore is now {value}, lock file exists: {File.Exists(Path.Combine(lockDirectory, _context.RouterLockName("r1")))})");
        value.Should().Be(1);
    }
}
