using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Hardening;

/// <summary>
/// A semaphore someone else created in /dev/shm before us (another owner, a wider mode) cannot be trusted for
/// mutual exclusion, and one whose value is above 1 already lets two holders in: each is refused, before anything is
/// acquired or written, with a message that says what to do.
/// </summary>
public sealed class HostileSemaphoreTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void AcquireRouterLock_SemaphoreOwnedByAnotherUser_RefusesSayingWhatToDo()
    {
        var path = PreCreate(_context.RouterLockName("r1"), s => FileStatus.Chown(s, FileStatus.Nobody, FileStatus.Nobody));
        var manager = _context.CreateManager();

        var act = () => manager.AcquireRouterLock("r1", "job-1");

        act.Should().Throw<RegistryException>()
            .WithMessage($"Semaphore '{path}' is owned by uid {FileStatus.Nobody}, not by this user*cannot be trusted*remove it ('rm {path}')*");
        _context.RouterSemaphoreValue("r1").Should().Be(1, "nothing was acquired");
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
    }

    [Theory]
    [InlineData(0b110_110_110)]
    [InlineData(0b110_110_000)]
    [InlineData(0b110_000_100)]
    public void AcquireRouterLock_SemaphoreWiderThan0600_Refuses(int mode)
    {
        var path = PreCreate(_context.RouterLockName("r1"), s => File.SetUnixFileMode(s, (UnixFileMode)mode));
        var manager = _context.CreateManager();

        var act = () => manager.AcquireRouterLock("r1", "job-1");

        act.Should().Throw<RegistryException>()
            .WithMessage($"Semaphore '{path}' is mode 0{FileStatus.Octal(mode)}, wider than 0600*rm {path}*");
        _context.RouterSemaphoreValue("r1").Should().Be(1);
    }

    [Fact]
    public void AcquireRouterLock_SemaphoreValueTwo_RefusesAsBrokenMutualExclusion()
    {
        var semaphore = _context.OpenSemaphore(_context.RouterLockName("r1"));
        semaphore.Post(); // A stray post by a non-holder: value 2.
        var manager = _context.CreateManager();

        var act = () => manager.AcquireRouterLock("r1", "job-1");

        act.Should().Throw<RegistryException>()
            .WithMessage($"*has the value 2*mutual exclusion is already broken*Stop every job runner*remove /dev/shm/sem.{_context.RouterLockName("r1")}*");
        semaphore.GetValue().Should().Be(2, "a refused semaphore is reported, not 'repaired' by waiting on it");
    }

    [Fact]
    public void CheckAndRegisterHost_RegistryLockSemaphoreForeign_RefusesAndWritesNothing()
    {
        var manager = _context.CreateManager();
        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        manager.Dispose(); // Closes its handle, so the next manager opens (and checks) the semaphore afresh.
        var path = "/dev/shm/sem." + _context.HostsLockName;
        FileStatus.Chown(path, FileStatus.Nobody, FileStatus.Nobody);
        var before = _context.Snapshot();
        var fresh = _context.CreateManager();

        var act = () => fresh.CheckAndRegisterHost("web-2", "10.0.0.2", "r1", "aa:bb:cc:dd:ee:02");

        act.Should().Throw<RegistryException>().WithMessage($"Semaphore '{path}' is owned by uid {FileStatus.Nobody}*");
        _context.Snapshot().Should().Equal(before);
    }

    [Fact]
    public void AcquireRouterLock_ForeignSemaphoreRemovedAsAdvised_WorksAgain()
    {
        var path = PreCreate(_context.RouterLockName("r1"), s => FileStatus.Chown(s, FileStatus.Nobody, FileStatus.Nobody));
        var manager = _context.CreateManager();
        ((Action)(() => manager.AcquireRouterLock("r1", "job-1"))).Should().Throw<RegistryException>();

        File.Delete(path);

        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        FileStatus.Of(path).Uid.Should().Be(Interop.Libc.GetEUid());
        FileStatus.Of(path).Permissions.Should().Be(0b110_000_000);
    }

    /// <summary>
    /// The squatter's race: a semaphore planted 0666 and unlinked right after the victim opened it. The old check ran
    /// statx on the path afterwards, found nothing (ENOENT) and accepted the squatter's object for the manager's
    /// lifetime. The policy now judges the open file itself, so an unlinked file is judged like any other.
    /// </summary>
    [Fact]
    public void VerifySemaphore_SquattersFileUnlinkedAfterTheOpen_IsStillJudgedAndRefused()
    {
        var lockName = _context.RouterLockName("r1");
        var path = PreCreate(lockName, s => File.SetUnixFileMode(s, (UnixFileMode)0b110_110_110));
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        File.Delete(path); // The squatter covers its tracks once the victim has the file open.
        Interop.Libc.Statx(file, string.Empty, Interop.StatxConstants.AT_EMPTY_PATH, Interop.StatxConstants.STATX_BASIC_STATS, out var status).Should().Be(0);

        var act = () => Security.AccessPolicy.Private.VerifySemaphore("/" + lockName, file, status);

        act.Should().Throw<RegistryException>().WithMessage("*mode 0666, wider than 0600*");
    }

    /// <summary>
    /// Read-only questions (is it locked, wait until free, status) open the semaphore under the same checks as an
    /// acquisition: a squatter's semaphore answered "free" before.
    /// </summary>
    [Fact]
    public void ReadOnlyQuestions_OnASquattersSemaphore_AreRefusedLikeAnAcquisition()
    {
        var path = PreCreate(_context.RouterLockName("r1"), s => File.SetUnixFileMode(s, (UnixFileMode)0b110_110_110));
        var manager = _context.CreateManager();

        ((Action)(() => manager.IsRouterLocked("r1"))).Should().Throw<RegistryException>().WithMessage($"Semaphore '{path}' is mode 0666, wider than 0600*");
        ((Action)(() => manager.WaitForRouter("r1", TimeSpan.Zero))).Should().Throw<RegistryException>().WithMessage($"Semaphore '{path}'*");
    }

    /// <summary>A FIFO, a directory or a short file planted under a semaphore's name is not a semaphore, and does not hang the open.</summary>
    [Theory]
    [InlineData("fifo")]
    [InlineData("directory")]
    [InlineData("short file")]
    public void AcquireRouterLock_SomethingElseUnderTheSemaphoresName_RefusesWithoutHanging(string kind)
    {
        var path = "/dev/shm/sem." + _context.RouterLockName("r1");
        try
        {
            switch (kind)
            {
                case "fifo":
                    using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", ["-m", "600", path]))
                    {
                        mkfifo.WaitForExit();
                        mkfifo.ExitCode.Should().Be(0);
                    }

                    break;
                case "directory":
                    Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    break;
                default:
                    File.WriteAllBytes(path, new byte[8]);
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    break;
            }

            var manager = _context.CreateManager();

            var act = () => manager.AcquireRouterLock("r1", "job-1", TimeSpan.Zero);

            act.Should().Throw<RegistryException>().WithMessage(kind == "directory"
                ? $"Could not open semaphore '/{_context.RouterLockName("r1")}': Is a directory*" // open(O_RDWR) says so itself.
                : $"'{path}' is not a semaphore*");
        }
        finally
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path);
            }
            else
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>Creates the semaphore as "someone else" would, then closes our handle, and alters its file.</summary>
    private static string PreCreate(string lockName, Action<string> alter)
    {
        using (NamedSemaphore.OpenOrCreate("/" + lockName))
        {
        }

        var path = "/dev/shm/sem." + lockName;
        alter(path);
        return path;
    }
}
