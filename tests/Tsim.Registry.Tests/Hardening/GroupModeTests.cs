using Tsim.Registry.Locking;
using Tsim.Registry.Security;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Hardening;

/// <summary>
/// Group mode (<see cref="RegistryManagerOptions.Group"/>, a group name or a numeric gid): this process creates
/// directories 2770 and files and semaphores 0660 of the group. It accepts directories of the group in 2770 or 2775
/// (tsim's), whoever owns them, and never changes a directory it did not create: anything else, ours included, is
/// refused and left as it is. A semaphore of ours not yet of the group is handed to it; another member's must be 0660
/// of the group. Private mode accepts none of the shared shapes.
/// </summary>
public sealed class GroupModeTests : IDisposable
{
    private const int Directory2770 = 0b010_111_111_000;
    private const int Directory2775 = 0b010_111_111_101;
    private const int File0660 = 0b110_110_000;

    /// <summary>Another member of the group: a uid with no account, which root can hand files to.</summary>
    private const uint AnotherMember = 61001;

    /// <summary>The system user 'daemon' (uid 1), whose primary group is 'daemon': a member the user database knows.</summary>
    private const uint DaemonUser = 1;

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

    [Theory]
    [InlineData(Directory2770)]
    [InlineData(Directory2775)] // What tsim creates, and restores at every start.
    public void ExistingDirectory_OtherMembersOfTheGroupIn2770Or2775_IsAcceptedUnchangedInGroupModeRefusedInPrivateMode(int mode)
    {
        PlantRegistryDirectory(AnotherMember, GroupId, mode);
        var before = FileStatus.Of(_context.RegistryDirectory);

        var grouped = () => _context.CreateManager(o => o.Group = Group);
        var @private = () => _context.CreateManager();

        grouped.Should().NotThrow();
        FileStatus.Of(_context.RegistryDirectory).Should().Be(before, "a directory this process did not create is never re-moded or re-owned");
        @private.Should().Throw<RegistryException>()
            .WithMessage($"*owned by uid {AnotherMember}*It looks like a registry shared by gid {GroupId}: configure that group (group*");
    }

    [Fact]
    public void ExistingDirectory_OtherMembers2775OfTheGroup_RegistryWorksAndTheDirectoryStaysAsItWas()
    {
        PlantRegistryDirectory(AnotherMember, GroupId, Directory2775);
        var before = FileStatus.Of(_context.RegistryDirectory);

        var manager = _context.CreateManager(o => o.Group = Group);
        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();

        FileStatus.Of(_context.RegistryDirectory).Should().Be(before);
        ShouldBe("lock dir, created here", FileStatus.Of(_context.LockDirectory), Directory2770);
        ShouldBe("hosts file", FileStatus.Of(_context.HostsPath), File0660);
    }

    public static TheoryData<string, int> RefusedDirectoriesOfAnotherUser => new()
    {
        { "other group", Directory2770 },
        { "other group", Directory2775 },
        { "our group", 0b111_111_000 }, // 0770 without setgid: new files would not inherit the group.
        { "our group", 0b111_111_101 }, // 0775 without setgid.
        { "our group", 0b010_111_111_111 }, // 2777: world-writable.
        { "our group", 0b010_111_101_101 }, // 2755: the group may not write.
        { "our group", 0b010_111_111_001 }, // 2771: neither shape.
    };

    [Theory]
    [MemberData(nameof(RefusedDirectoriesOfAnotherUser))]
    public void ExistingDirectory_OfAnotherUserNot2770Or2775OfTheGroup_IsRefusedAndLeftUnchanged(string group, int mode)
    {
        var gid = group == "our group" ? GroupId : OtherGroupId;
        PlantRegistryDirectory(AnotherMember, gid, mode);
        var before = FileStatus.Of(_context.RegistryDirectory);

        var act = () => _context.CreateManager(o => o.Group = Group);

        act.Should().Throw<RegistryException>().WithMessage(
            $"Directory '{_context.RegistryDirectory}' must be mode 2770 or 2775 of group '{Group}' (gid {GroupId}) in group mode, " +
            $"but is mode 0{FileStatus.Octal(mode)} of gid {gid} owned by uid {AnotherMember}. " +
            $"Its owner (uid {AnotherMember}) or root can fix it: 'chgrp {Group} {_context.RegistryDirectory} && chmod 2770 {_context.RegistryDirectory}'. " +
            "This process changes only directories it creates.");
        FileStatus.Of(_context.RegistryDirectory).Should().Be(before);
        Directory.Exists(_context.LockDirectory).Should().BeFalse("nothing is created inside a refused directory");
    }

    [Theory]
    [InlineData("other group", 0b111_000_000)] // 0700 of another group: a private registry from before group mode.
    [InlineData("other group", Directory2770)]
    [InlineData("our group", 0b111_000_000)]
    [InlineData("our group", 0b111_111_000)] // 0770: no setgid.
    public void ExistingDirectory_OurOwnNotInGroupShape_IsRefusedAndLeftUnchanged(string group, int mode)
    {
        var gid = group == "our group" ? GroupId : OtherGroupId;
        PlantRegistryDirectory(Interop.Libc.GetEUid(), gid, mode);
        var before = FileStatus.Of(_context.RegistryDirectory);

        var act = () => _context.CreateManager(o => o.Group = Group);

        act.Should().Throw<RegistryException>()
            .WithMessage($"Directory '{_context.RegistryDirectory}' must be mode 2770 or 2775 of group '{Group}'*but is mode 0{FileStatus.Octal(mode)} of gid {gid}*This process changes only directories it creates.");
        FileStatus.Of(_context.RegistryDirectory).Should().Be(before, "it used to be brought into shape; a directory it did not create now never is");
    }

    [Fact]
    public void ExistingDirectory_SymlinkToADirectoryOfTheGroup_IsRefusedAndTheTargetLeftUnchanged()
    {
        var target = _context.RegistryDirectory + "-target";
        Directory.CreateDirectory(target);
        try
        {
            FileStatus.Chown(target, AnotherMember, GroupId);
            File.SetUnixFileMode(target, (UnixFileMode)Directory2775);
            File.CreateSymbolicLink(_context.RegistryDirectory, target);
            var before = FileStatus.Of(target);

            var act = () => _context.CreateManager(o => o.Group = Group);

            act.Should().Throw<RegistryException>().WithMessage($"Directory '{_context.RegistryDirectory}' is a symbolic link*");
            FileStatus.Of(target).Should().Be(before);
            Directory.EnumerateFileSystemEntries(target).Should().BeEmpty("nothing is created behind the link");
        }
        finally
        {
            File.Delete(_context.RegistryDirectory);
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void NumericGroupId_NewRegistry_DirectoriesFilesAndSemaphoresBelongToThatGid()
    {
        const uint gid = 47123; // No group of that name or id: a number is taken as the id, as chgrp takes it.
        var manager = _context.CreateManager(o => o.Group = gid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();

        foreach (var (path, mode) in new[] { (_context.RegistryDirectory, Directory2770), (_context.LockDirectory, Directory2770), (_context.HostsPath, File0660) }
            .Concat(_context.SemaphoreFiles().Select(s => (s, File0660))))
        {
            var status = FileStatus.Of(path);
            status.Gid.Should().Be(gid, path);
            FileStatus.Octal(status.Permissions).Should().Be(FileStatus.Octal(mode), path);
        }

        _context.SemaphoreFiles().Should().HaveCount(2, "the hosts registry lock and router r1");
    }

    [Fact]
    public void NumericGroupId_ExistingDirectoryOfThatGid_IsAcceptedAndOfAnotherGidRefused()
    {
        PlantRegistryDirectory(AnotherMember, 47123, Directory2775);

        var act = () => _context.CreateManager(o => o.Group = "47123");
        var other = () => _context.CreateManager(o => o.Group = "47124");

        act.Should().NotThrow();
        other.Should().Throw<RegistryException>().WithMessage("*must be mode 2770 or 2775 of group '47124' (gid 47124)*of gid 47123*");
    }

    [Fact]
    public void OurSemaphoreCreated0600BeforeGroupMode_IsHandedToTheGroupWhenAGroupModeManagerOpensIt()
    {
        // A private registry first (its own directory: the group one would be refused there), on the same prefix.
        var @private = _context.CreateManager(o => o.RegistryDirectory = Path.Combine(_context.Registry.Directory, "private"));
        try
        {
            @private.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
            @private.AcquireRouterLock("r1", "job-1").Should().BeTrue();
            @private.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
            var semaphores = _context.SemaphoreFiles();
            semaphores.Should().HaveCount(2);
            foreach (var semaphore in semaphores)
            {
                var status = FileStatus.Of(semaphore);
                FileStatus.Octal(status.Permissions).Should().Be("600", "made by a private manager");
                status.Gid.Should().NotBe(GroupId);
            }

            // The private registry is retired: its prefix binding goes, since one prefix has one lock directory.
            File.Delete(_context.BindingPath);
            var grouped = _context.CreateManager(o => o.Group = Group);
            grouped.CheckAndRegisterHost("web-2", "10.0.0.2", "r1", "aa:bb:cc:dd:ee:02").Should().BeTrue();
            grouped.AcquireRouterLock("r1", "job-2").Should().BeTrue();
            grouped.ReleaseRouterLock("r1", "job-2").Should().BeTrue();

            foreach (var semaphore in semaphores)
            {
                var status = FileStatus.Of(semaphore);
                ShouldBe(semaphore, status, File0660);
                status.Uid.Should().Be(Interop.Libc.GetEUid(), "handed to the group, still ours");
            }
        }
        finally
        {
            @private.Dispose();
            Directory.Delete(Path.Combine(_context.Registry.Directory, "private"), recursive: true);
        }
    }

    [Fact]
    public void Semaphore_OtherMembers0660OfTheGroup_IsAcceptedInGroupModeRefusedInPrivateMode()
    {
        _context.CreateManager(o => o.Group = Group); // Directories in group shape.
        var path = PreCreateSemaphore(_context.RouterLockName("r1"), DaemonUser, GroupId, File0660);

        var member = _context.CreateManager(o => o.Group = Group);
        member.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        member.ReleaseRouterLock("r1", "job-1").Should().BeTrue();

        // Same semaphores (same prefix); a private registry directory of its own, since the 2770 one is refused there,
        // once the group registry's prefix binding is gone (one prefix has one lock directory).
        File.Delete(_context.BindingPath);
        var @private = _context.CreateManager(o => o.RegistryDirectory = Path.Combine(_context.RegistryDirectory, "private"));
        var act = () => @private.AcquireRouterLock("r1", "job-2", TimeSpan.Zero);
        act.Should().Throw<RegistryException>().WithMessage($"Semaphore '{path}' is owned by uid {DaemonUser}, not by this user*");
    }

    [Fact]
    public void Semaphore_0660OfTheGroupOwnedByAKnownNonMember_IsRefusedInGroupMode()
    {
        var manager = _context.CreateManager(o => o.Group = Group);
        var path = PreCreateSemaphore(_context.RouterLockName("r1"), FileStatus.Nobody, GroupId, File0660);

        var act = () => manager.AcquireRouterLock("r1", "job-1");

        act.Should().Throw<RegistryException>()
            .WithMessage($"Semaphore '{path}' is owned by uid {FileStatus.Nobody}, who is not a member of group '{Group}'*");
    }

    [Fact]
    public void ExistingDirectory_2775OfTheGroupOwnedByAKnownNonMember_IsRefusedAndLeftAlone()
    {
        var directory = _context.RegistryDirectory;
        PlantRegistryDirectory(FileStatus.Nobody, GroupId, Directory2775);

        var act = () => _context.CreateManager(o => o.Group = Group);

        act.Should().Throw<RegistryException>().WithMessage($"Directory '{directory}' is owned by uid {FileStatus.Nobody}, who is not a member of group '{Group}'*");
        var after = FileStatus.Of(directory);
        (after.Uid, after.Gid, after.Permissions).Should().Be((FileStatus.Nobody, GroupId, Directory2775));
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
            .WithMessage($"Semaphore '{path}' is owned by uid {FileStatus.Nobody} but not of group '{Group}' within mode 0660*rm {path}*");
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
