using Microsoft.Extensions.Options;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>
/// Validation of <see cref="RegistryManagerOptions.RegistryFiles"/>: each entry is a file name, or a path in the
/// registry directory, not hidden, at most <see cref="RegistryFileNames.MaxLength"/> UTF-8 bytes, not the lock
/// directory, and the three are three files. A refusal names the property and the bad value, and creates nothing.
/// </summary>
public sealed class RegistryFileNamesTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    private string Dir => _context.RegistryDirectory;

    [Fact]
    public void Defaults_AreTheSpecificationsNames()
    {
        var names = new RegistryFileNames();

        names.Hosts.Should().Be("hosts.json").And.Be(RegistryFileNames.DefaultHosts);
        names.HostLeases.Should().Be("host_leases.json").And.Be(RegistryFileNames.DefaultHostLeases);
        names.NeighborLeases.Should().Be("neighbor_leases.json").And.Be(RegistryFileNames.DefaultNeighborLeases);
        RegistryFileNames.TsimHosts.Should().Be("host_registry.json");
        RegistryFileNames.MaxLength.Should().Be(200);
        new RegistryManagerOptions().RegistryFiles.Should().BeEquivalentTo(names);
    }

    /// <summary>A bad entry (<c>{0}</c> stands for the registry directory), and the end of the message naming it.</summary>
    public static TheoryData<string, string, string> Refused => new()
    {
        { "Hosts", "", "must be a file name without control characters (got '')." },
        { "Hosts", "a\0b.json", "must be a file name without control characters (got 'a?b.json')." },
        { "Hosts", "a\nb.json", "must be a file name without control characters (got 'a?b.json')." },
        { "Hosts", "/srv/elsewhere/hosts.json", "must be a file name, or a path in the registry directory '{0}' (got '/srv/elsewhere/hosts.json').*" },
        { "HostLeases", "sub/host_leases.json", "must be a file name, or a path in the registry directory '{0}' (got 'sub/host_leases.json').*" },
        { "HostLeases", "../host_leases.json", "must be a file name, or a path in the registry directory '{0}' (got '../host_leases.json').*" },
        { "NeighborLeases", "{0}/sub/neighbor_leases.json", "must be a file name, or a path in the registry directory '{0}' (got '{0}/sub/neighbor_leases.json').*" },
        { "NeighborLeases", "{0}", "must be a file name, or a path in the registry directory '{0}' (got '{0}').*" },
        { "Hosts", ".hosts.json", "must be a file name that does not start with '.' (got '.hosts.json')*" },
        { "HostLeases", "{0}/.host_leases.json", "must be a file name that does not start with '.' (got '{0}/.host_leases.json')*" },
        { "NeighborLeases", ".", "must be a file name that does not start with '.' (got '.')*" },
        { "NeighborLeases", "..", "must be a file name that does not start with '.' (got '..')*" },
        { "Hosts", new string('h', RegistryFileNames.MaxLength + 1), "must be at most 200 bytes long (got 201)." },
        { "HostLeases", string.Concat(Enumerable.Repeat("é", 101)), "must be at most 200 bytes long (got 202)." }, // 101 characters, 202 bytes.
        { "Hosts", "locks", "is the lock directory's name ('locks'); give the file another name." },
        { "NeighborLeases", "{0}/locks", "is the lock directory's name ('locks'); give the file another name." },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Constructor_BadEntry_RefusesNamingThePropertyAndValueAndCreatesNothing(string property, string entryFormat, string errorFormat)
    {
        var entry = entryFormat.Replace("{0}", Dir, StringComparison.Ordinal);
        var options = _context.CreateOptions(o => Set(o.RegistryFiles, property, entry));

        var act = () => new RegistryManager(options);

        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().ContainSingle()
            .Which.Should().Match($"Property RegistryFiles.{property}: " + errorFormat.Replace("{0}", Dir, StringComparison.Ordinal));
        Directory.Exists(Dir).Should().BeFalse("nothing is created from refused options");
    }

    [Theory]
    [InlineData("HostLeases", "hosts.json", "RegistryFiles.Hosts", "hosts.json")]
    [InlineData("HostLeases", "{0}/hosts.json", "RegistryFiles.Hosts", "hosts.json")]
    [InlineData("NeighborLeases", "host_leases.json", "RegistryFiles.HostLeases", "host_leases.json")]
    public void Constructor_TwoEntriesNamingOneFile_RefusesTheSecond(string property, string entryFormat, string first, string fileName)
    {
        var options = _context.CreateOptions(o => Set(o.RegistryFiles, property, entryFormat.Replace("{0}", Dir, StringComparison.Ordinal)));

        var act = () => new RegistryManager(options);

        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().ContainSingle()
            .Which.Should().Be($"Property RegistryFiles.{property}: names the same file as {first} ('{fileName}'); each registry file must be its own.");
        Directory.Exists(Dir).Should().BeFalse();
    }

    [Fact]
    public void Constructor_AllThreeTheSame_RefusesTheTwoLater()
    {
        var options = _context.CreateOptions(o => o.RegistryFiles = new RegistryFileNames { Hosts = "r.json", HostLeases = "r.json", NeighborLeases = "r.json" });

        var act = () => new RegistryManager(options);

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal(
            "Property RegistryFiles.HostLeases: names the same file as RegistryFiles.Hosts ('r.json'); each registry file must be its own.",
            "Property RegistryFiles.NeighborLeases: names the same file as RegistryFiles.Hosts ('r.json'); each registry file must be its own.");
    }

    [Fact]
    public void Constructor_NullRegistryFiles_Refuses()
    {
        var options = _context.CreateOptions(o => o.RegistryFiles = null!);

        var act = () => new RegistryManager(options);

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle().Which.Should().Be("Property RegistryFiles: is required.");
        Directory.Exists(Dir).Should().BeFalse();
    }

    [Fact]
    public void Constructor_NullEntry_RefusesNamingIt()
    {
        var options = _context.CreateOptions(o => o.RegistryFiles.NeighborLeases = null!);

        var act = () => new RegistryManager(options);

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle().Which.Should().StartWith("Property RegistryFiles.NeighborLeases: must be a file name");
    }

    [Fact]
    public void Constructor_LocksAsAFileNameWithTheLockDirectoryElsewhere_IsAccepted()
    {
        var manager = _context.CreateManager(o =>
        {
            o.LockDirectory = Path.Combine(Dir, "lockdir");
            o.RegistryFiles.Hosts = "locks";
        });

        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();

        manager.HostsFilePath.Should().Be(Path.Combine(Dir, "locks"));
        File.Exists(manager.HostsFilePath).Should().BeTrue();
    }

    [Theory]
    [InlineData("{0}/locks/")]
    [InlineData("{0}//locks")]
    [InlineData("{0}/./locks")]
    public void Constructor_LockDirectoryNameSpelledAnotherWay_IsStillRefused(string lockDirectoryFormat)
    {
        var options = _context.CreateOptions(o =>
        {
            o.LockDirectory = lockDirectoryFormat.Replace("{0}", Dir, StringComparison.Ordinal);
            o.RegistryFiles.Hosts = "locks";
        });

        var act = () => new RegistryManager(options);

        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().ContainSingle().Which.Should().StartWith("Property RegistryFiles.Hosts: is the lock directory's name ('locks')");
        Directory.Exists(Dir).Should().BeFalse();
    }

    public static TheoryData<string, string> Accepted => new()
    {
        { "host_registry.json", "host_registry.json" },
        { "{0}/host_registry.json", "host_registry.json" },
        { "{0}//host_registry.json", "host_registry.json" },
        { "{0}/./host_registry.json", "host_registry.json" },
        { "{0}/sub/../host_registry.json", "host_registry.json" },
        { "hosts", "hosts" },
        { "hosts.json.bak", "hosts.json.bak" },
        { new string('h', RegistryFileNames.MaxLength), new string('h', RegistryFileNames.MaxLength) },
        { string.Concat(Enumerable.Repeat("é", 100)), string.Concat(Enumerable.Repeat("é", 100)) }, // 200 bytes.
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Constructor_FileNameOrPathInTheRegistryDirectory_IsAcceptedAndUsedByItsFileName(string entryFormat, string fileName)
    {
        var manager = _context.CreateManager(o => o.RegistryFiles.Hosts = entryFormat.Replace("{0}", Dir, StringComparison.Ordinal));

        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();
        manager.QuarantineCorruptFiles().Should().BeEmpty();

        manager.HostsFilePath.Should().Be(Path.Combine(Dir, fileName));
        Directory.GetFiles(Dir).Should().Equal(Path.Combine(Dir, fileName));
    }

    [Fact]
    public void Constructor_RegistryDirectoryWithTrailingSlash_AcceptsAPathInIt()
    {
        var manager = _context.CreateManager(o =>
        {
            o.RegistryDirectory = Dir + "/";
            o.RegistryFiles.HostLeases = $"{Dir}/my_leases.json";
        });

        manager.HostLeasesFilePath.Should().Be($"{Dir}/my_leases.json");
    }

    private static void Set(RegistryFileNames names, string property, string entry)
    {
        switch (property)
        {
            case nameof(RegistryFileNames.Hosts):
                names.Hosts = entry;
                break;
            case nameof(RegistryFileNames.HostLeases):
                names.HostLeases = entry;
                break;
            case nameof(RegistryFileNames.NeighborLeases):
                names.NeighborLeases = entry;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(property), property, null);
        }
    }
}
