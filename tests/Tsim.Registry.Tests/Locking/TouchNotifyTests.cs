using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Locking;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Hardening;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary>
/// <see cref="LockFiles.TouchNotify"/>: one utimensat(2) on an existing notify file (same inode, new time),
/// creation only when it is missing, and a symlink planted under its name touched itself, never what it points to.
/// </summary>
public sealed class TouchNotifyTests : IDisposable
{
    private static readonly DateTime s_old = new(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly RegistryTestContext _context = new();
    private readonly LockFiles _files;

    public TouchNotifyTests()
    {
        _context.EnsureDirectories();
        _files = new LockFiles(_context.LockDirectory, NullLogger.Instance);
    }

    public void Dispose() => _context.Dispose();

    [Fact]
    public void TouchNotify_Missing_CreatesAnEmptyFileWithMode0600()
    {
        _files.TouchNotify("r1");

        var notify = _context.NotifyPath("r1");
        new FileInfo(notify).Length.Should().Be(0);
        File.GetUnixFileMode(notify).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void TouchNotify_Existing_SameInodeNewTimesEveryTime()
    {
        var notify = _context.NotifyPath("r1");
        _files.TouchNotify("r1");
        var inode = FileIdentity.Of(notify)!.Value.Inode;

        for (var i = 0; i < 3; i++)
        {
            File.SetLastWriteTimeUtc(notify, s_old);
            _files.TouchNotify("r1");

            File.GetLastWriteTimeUtc(notify).Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1));
            File.GetLastAccessTimeUtc(notify).Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1), "both times are set to now, like touch(1)");
            FileIdentity.Of(notify)!.Value.Inode.Should().Be(inode);
        }
    }

    [Fact]
    public void TouchNotify_SymlinkToAFile_TouchesTheLinkNotTheTarget()
    {
        var target = Path.Combine(_context.RegistryDirectory, "target");
        File.WriteAllText(target, "keep");
        File.SetLastWriteTimeUtc(target, s_old);
        File.CreateSymbolicLink(_context.NotifyPath("r1"), target);

        _files.TouchNotify("r1");

        File.GetLastWriteTimeUtc(target).Should().Be(s_old, "the link is not followed");
        File.ReadAllText(target).Should().Be("keep");
        FileStatus.Of(_context.NotifyPath("r1")).IsSymlink.Should().BeTrue();
    }

    [Fact]
    public void TouchNotify_DanglingSymlink_CreatesNothingBehindIt()
    {
        var target = Path.Combine(_context.RegistryDirectory, "created-behind-the-link");
        File.CreateSymbolicLink(_context.NotifyPath("r1"), target);

        _files.TouchNotify("r1");

        Path.Exists(target).Should().BeFalse();
        FileStatus.Of(_context.NotifyPath("r1")).IsSymlink.Should().BeTrue();
    }
}
