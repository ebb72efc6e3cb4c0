using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Hardening;

/// <summary>
/// Deviation 9 (docs/ARCHITECTURE.md): the registry and lock directories live in /dev/shm, where every local user can plant
/// links and directories. A directory that is a symlink, owned by another user, or writable by group or others is
/// refused with a message naming it, before anything is created inside it; new directories are 0700.
/// </summary>
public sealed class HostileDirectoryTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public HostileDirectoryTests()
    {
        // The context's directory is only the parent here: every registry of these tests lives below it.
        Directory.CreateDirectory(_context.RegistryDirectory);
        Registry = Path.Combine(_context.RegistryDirectory, "registry");
        Elsewhere = Directory.CreateDirectory(Path.Combine(_context.RegistryDirectory, "elsewhere")).FullName;
    }

    private string Registry { get; }

    private string Elsewhere { get; }

    public void Dispose() => _context.Dispose();

    public static TheoryData<string> DirectoryRoles => new() { "registry", "lock" };

    [Theory]
    [MemberData(nameof(DirectoryRoles))]
    public void Constructor_DirectoryIsSymlinkToDirectory_RefusesNamingItAndCreatesNothingBehindIt(string role)
    {
        var link = PlantInRole(role, path => Directory.CreateSymbolicLink(path, Elsewhere));

        var act = () => Build(role);

        act.Should().Throw<RegistryException>().WithMessage($"Directory '{link}' is a symbolic link*");
        Directory.GetFileSystemEntries(Elsewhere).Should().BeEmpty("nothing is created behind the link");
        _context.SemaphoreFiles().Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(DirectoryRoles))]
    public void Constructor_DirectoryIsDanglingSymlink_RefusesAndCreatesNoTarget(string role)
    {
        var target = Path.Combine(Elsewhere, "not-yet");
        PlantInRole(role, path => Directory.CreateSymbolicLink(path, target));

        var act = () => Build(role);

        act.Should().Throw<RegistryException>().WithMessage($"*{(role == "registry" ? Registry : LockDirectory)}*");
        Path.Exists(target).Should().BeFalse("mkdir must not follow a dangling link to create its target");
    }

    [Theory]
    [MemberData(nameof(DirectoryRoles))]
    public void Constructor_DirectoryOwnedByAnotherUser_Refuses(string role)
    {
        var directory = PlantInRole(role, path =>
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            FileStatus.Chown(path, FileStatus.Nobody, FileStatus.Nobody);
        });

        var act = () => Build(role);

        act.Should().Throw<RegistryException>()
            .WithMessage($"Directory '{directory}' is owned by uid {FileStatus.Nobody}, not by this user*configure a shared group*");
        Directory.GetFileSystemEntries(directory).Should().BeEmpty();
    }

    public static TheoryData<string, int> WritableModes => new()
    {
        { "registry", 0b111_111_111 },
        { "registry", 0b111_111_101 },
        { "registry", 0b111_101_111 },
        { "lock", 0b111_111_111 },
        { "lock", 0b111_111_101 },
        { "registry", 0b1_111_111_111 }, // Sticky like /tmp: others still create files.
    };

    [Theory]
    [MemberData(nameof(WritableModes))]
    public void Constructor_DirectoryWritableByGroupOrOthers_RefusesWithChmodHint(string role, int mode)
    {
        var directory = PlantInRole(role, path =>
        {
            Directory.CreateDirectory(path);
            File.SetUnixFileMode(path, (UnixFileMode)mode);
        });

        var act = () => Build(role);

        act.Should().Throw<RegistryException>()
            .WithMessage($"Directory '{directory}' is writable by group or others (mode 0{FileStatus.Octal(mode)})*chmod go-w {directory}*");
        Directory.GetFileSystemEntries(directory).Should().BeEmpty();
        FileStatus.Of(directory).Permissions.Should().Be(mode, "a refused directory is reported, not silently re-moded");
    }

    [Fact]
    public void Constructor_NewDirectories_AreCreated0700AndOwnedByThisUser()
    {
        var nested = Path.Combine(Registry, "a", "b");

        _context.Track(new RegistryManager(_context.CreateOptions(o => o.RegistryDirectory = nested)));

        foreach (var directory in new[] { nested, Path.Combine(nested, "locks") })
        {
            var status = FileStatus.Of(directory);
            status.Permissions.Should().Be(0b111_000_000, directory);
            status.Uid.Should().Be(Interop.Libc.GetEUid());
        }
    }

    [Fact]
    public void Constructor_ExistingPrivateDirectories_AreAccepted()
    {
        Directory.CreateDirectory(Registry, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var act = () => Build("registry");

        act.Should().NotThrow();
    }

    private string LockDirectory => Path.Combine(Registry, "locks");

    /// <summary>Creates the registry directory (for the lock role) and applies <paramref name="plant"/> to the directory of the role.</summary>
    private string PlantInRole(string role, Action<string> plant)
    {
        if (role == "lock")
        {
            Directory.CreateDirectory(Registry, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var path = role == "registry" ? Registry : LockDirectory;
        plant(path);
        return path;
    }

    private RegistryManager Build(string role) =>
        _context.Track(new RegistryManager(_context.CreateOptions(o =>
        {
            o.RegistryDirectory = Registry;
            o.LockDirectory = LockDirectory;
        })));
}
