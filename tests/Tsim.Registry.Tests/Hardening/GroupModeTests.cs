using Tsim.Registry.Locking;
using Tsim.Registry.Security;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Hardening;

/// <summary>
/// Group mode (<see cref="RegistryManagerOptions.Group"/>): directories 2770, files and semaphores 0660 of the group,
/// and the checks accept exactly that: another group member's directory or semaphore in that shape is fine, the
/// same thing of another group or mode is not, and private mode accepts none of it.
/// </summary>
public sealed class GroupModeTests : IDisposable
{
    private const int Directory2770 = 0b010_111_111_000;
    private const int File0660 = 0b110_110_000;

    private readonly RegistryTestContext _context = new();

    public GroupModeTests()
    {
        // Two groups every Debian-like system has; the tests run as root, so either can be handed out.
        (Group, OtherGroup) = ("daemon", "users");
        GroupId = AccessPolicy.Create(Group).GroupId!.Value;
        OtherGroupId = AccessPolicy.Create(OtherGroup).GroupId!.Value;
    }

    private string Group { get; }

    private string OtherGroup { get; }

    private uint GroupId { get; }

    private uint OtherGroupId { get; }

    public void Dispose() => _context.Dispose();

    [Fact]
    public void NewRegistry_DirectoriesAre2770FilesAndSemaphores0660OfTheGroup()
    {
        var manager = _context.CreateManager(o => o.Group = Group);
        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        manager.AcquireSourceHostLease("run-1", "web-1", "quick", "r1");
        manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.7");
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        var ownerRecord = FileStatus.Of(_context.OwnerRecordPath("r1"));
        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();

        foreach (var directory in new[] { _context.RegistryDirectory, _context.LockDirectory })
        {
            ShouldBe(directory, FileStatus.Of(directory), Directory2770);
        }

        ShouldBe("owner record", ownerRecord, File0660);
        foreach (var file in new[] { _context.HostsPath, _context.HostLeasesPath, _context.NeighborLeasesPath, _context.NotifyPath("r1") })
        {
            ShouldBe(file, FileStatus.Of(file), File0660);
        }

        var semaphores = _context.SemaphoreFiles();
        semaphores.Should().HaveCount(4, "three registry locks and router r1");
        foreach (var semaphore in semaphores)
        {
            ShouldBe(semaphore, FileStatus.Of(semaphore), File0660);
        }
    }

    [Fact]
    public void ExistingDirectory_OtherMembers2770OfTheGroup_IsAcceptedInGroupModeRefusedInPrivateMode()
    {
        PlantRegistryDirectory(FileStatus.Nobody, GroupId, Directory2770);

        var grouped = () => _context.CreateManager(o => o.Group = Group);
        var @private = () => _context.CreateManager();

        grouped.Should().NotThrow();
        @private.Should().Throw<RegistryException>().WithMessage($"*owned by uid {FileStatus.Nobody}*");
    }

    [Theory]
    [InlineData("other group", Directory2770)]
    [InlineData("our group", 0b111_111_000)] // 0770 without setgid: new files would not inherit the group.
    [InlineData("our group", 0b010_111_111_111)] // 2777: world-writable.
    public void ExistingDirectory_OfAnotherUserNotExactly2770OfTheGroup_IsRefused(string group, int mode)
    {
        var gid = group == "our group" ? GroupId : OtherGroupId;
        PlantRegistryDirectory(FileStatus.Nobody, gid, mode);

        var act = () => _context.CreateManager(o => o.Group = Group);

        act.Should().Throw<RegistryException>()
            .WithMessage($"Directory '{_context.RegistryDirectory}' must be mode 2770 of group '{Group}' in group mode*chgrp {Group} {_context.RegistryDirectory} && chmod 2770*");
    }

    [Fact]
    public void ExistingDirectory_OurOwnOfAnotherGroup_IsBroughtIntoShape()
    {
        PlantRegistryDirectory(Interop.Libc.GetEUid(), OtherGroupId, 0b111_000_000);

        _context.CreateManager(o => o.Group = Group);

        ShouldBe("registry dir", FileStatus.Of(_context.RegistryDirectory), Directory2770);
    }

    [Fact]
    public void Semaphore_OtherMembers0660OfTheGroup_IsAcceptedInGroupModeRefusedInPrivateMode()
    {
        _context.CreateManager(o => o.Group = Group); // Directories in group shape.
        var path = PreCreateSemaphore(_context.RouterLockName("r1"), FileStatus.Nobody, GroupId, File0660);

        var member = _context.CreateManager(o => o.Group = Group);
        member.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        member.ReleaseRouterLock("r1", "job-1").Should().BeTrue();

        // Same semaphores (same prefix); a private registry directory of its own, since the 2770 one is refused there.
        var @private = _context.CreateManager(o => o.RegistryDirectory = Path.Combine(_context.RegistryDirectory, "private"));
        var act = () => @private.AcquireRouterLock("r1", "job-2", TimeSpan.Zero);
        act.Should().Throw<RegistryException>().WithMessage($"Semaphore '{path}' is owned by uid {FileStatus.Nobody}, not by this user*");
    }

    [Theory]
    [InlineData("other group", File0660)]
    [InlineData("our group", 0b110_110_110)]
    [InlineData("our group", 0b110_111_000)]
    public void Semaphore_OfAnotherUserNotExactly0660OfTheGroup_IsRefusedInGroupMode(string group, int mode)
    {
        var manager = _context.CreateManager(o => o.Group = Group);
        var path = PreCreateSemaphore(_context.RouterLockName("r1"), FileStatus.Nobody, group == "our group" ? GroupId : OtherGroupId, mode);

        var act = () => manager.AcquireRouterLock("r1", "job-1");

        act.Should().Throw<RegistryException>()
            .WithMessage($"Semaphore '{path}' is owned by uid {FileStatus.Nobody} but not mode 0660 of group '{Group}'*rm {path}*");
    }

    [Fact]
    public void Constructor_GroupThatDoesNotExist_Refuses()
    {
        var act = () => _context.CreateManager(o => o.Group = "hd-no-such-group");

        act.Should().Throw<RegistryException>().WithMessage("The group 'hd-no-such-group' configured for the registry (group) does not exist*");
        Directory.Exists(_context.RegistryDirectory).Should().BeFalse();
    }

    private void PlantRegistryDirectory(uint uid, uint gid, int mode)
    {
        Directory.CreateDirectory(_context.RegistryDirectory);
        FileStatus.Chown(_context.RegistryDirectory, uid, gid);
        File.SetUnixFileMode(_context.RegistryDirectory, (UnixFileMode)mode); // After chown, which clears setgid.
    }

    private static string PreCreateSemaphore(string lockName, uint uid, uint gid, int mode)
    {
        using (NamedSemaphore.OpenOrCreate("/" + lockName))
        {
        }

        var path = "/dev/shm/sem." + lockName;
        FileStatus.Chown(path, uid, gid);
        File.SetUnixFileMode(path, (UnixFileMode)mode);
        return path;
    }

    private void ShouldBe(string what, FileStatus status, int permissions)
    {
        status.Gid.Should().Be(GroupId, $"{what} belongs to group {Group}");
        FileStatus.Octal(status.Permissions).Should().Be(FileStatus.Octal(permissions), what);
    }
}
