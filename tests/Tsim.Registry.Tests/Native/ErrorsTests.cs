using Tsim.Registry.Interop;

namespace Tsim.Registry.Tests.Native;

/// <summary><see cref="Errors"/>: the one translation of errno into messages that name the path or semaphore.</summary>
public sealed class ErrorsTests
{
    [Fact]
    public void ForPath_PlainErrno_NamesOperationPathReasonAndNumber()
    {
        var exception = Errors.ForPath(Errno.ENOENT, "/x/hosts.json", "read");

        exception.Should().BeOfType<RegistryException>();
        exception.Message.Should().Be("Could not read '/x/hosts.json': No such file or directory (errno 2).");
    }

    [Fact]
    public void IOExceptionForPath_SameMessageAsForPath()
    {
        var exception = Errors.IOExceptionForPath(Errno.EACCES, "/x/hosts.json", "open");

        exception.Should().BeOfType<IOException>();
        exception.Message.Should().Be(Errors.ForPath(Errno.EACCES, "/x/hosts.json", "open").Message);
    }

    [Fact]
    public void ForPath_Efbig_SaysALimitWasReached()
    {
        Errors.IOExceptionForPath(Errno.EFBIG, "/x/.hosts.json.1.1.tmp", "write").Message
            .Should().Be("Could not write '/x/.hosts.json.1.1.tmp': File too large (EFBIG: a file size limit or quota was reached).");
    }

    [Fact]
    public void ForPath_Eloop_SaysTheNameIsASymlinkAndKeepsTheOperation()
    {
        Errors.ForPath(Errno.ELOOP, "/x/locks/p-router-r1", "write the owner record").Message
            .Should().Be("Could not write the owner record: '/x/locks/p-router-r1' is a symbolic link; registry files are never opened through links.");
    }

    [Fact]
    public void ForSemaphore_Eacces_PointsAtTheSemaphoreFile()
    {
        Errors.ForSemaphore(Errno.EACCES, "/p-hosts-registry", "open").Message
            .Should().StartWith("Could not open semaphore '/p-hosts-registry': Permission denied (errno 13).")
            .And.EndWith("check /dev/shm/sem.p-hosts-registry.");
    }
}
