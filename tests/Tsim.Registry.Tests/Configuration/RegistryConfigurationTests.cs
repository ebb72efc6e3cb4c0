using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Configuration;

/// <summary>
/// <see cref="RegistryManagerOptions.FromConfiguration"/> and <see cref="RegistryManagerOptions.FromJsonFile"/>: a
/// <c>registry_manager</c> section on its own, a document in the specification's shape, and a tsim host's
/// <c>config.json</c> (top-level <c>data_dir</c>, <c>lock_dir</c> and <c>registry_files</c>, IP addresses per router),
/// with a setting given in two places refused unless both agree.
/// </summary>
public sealed class RegistryConfigurationTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    /// <summary>
    /// A directory for configuration files, beside the registry directory (which must not exist beforehand) in the
    /// temporary registry's directory, and removed with it.
    /// </summary>
    private readonly string _configDirectory;

    public RegistryConfigurationTests()
    {
        _configDirectory = _context.RegistryDirectory + "-config";
        Directory.CreateDirectory(_configDirectory);
    }

    public void Dispose() => _context.Dispose();

    private string Dir => _context.RegistryDirectory;

    /// <summary>A configuration from JSON, with <paramref name="overlay"/> layered on top (as an environment would).</summary>
    private static IConfigurationRoot Configuration(string json, params (string Key, string? Value)[] overlay) =>
        new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)))
            .AddInMemoryCollection(overlay.Select(o => new KeyValuePair<string, string?>(o.Key, o.Value)))
            .Build();

    /// <summary>The tsim document of this test's directory, with this test's prefix and <paramref name="overlay"/>.</summary>
    private IConfigurationRoot TsimDocument(params (string Key, string? Value)[] overlay) =>
        Configuration(TsimConfigFiles.Document(Dir), [("registry_manager:semaphore_prefix", _context.Prefix), .. overlay]);

    private RegistryManager Build(RegistryManagerOptions options) => _context.Track(new RegistryManager(options));

    [Fact]
    public void FromConfiguration_SectionOnItsOwn_BindsItsKeys()
    {
        var configuration = Configuration($$$"""
            {"registry_dir": "{{{Dir}}}", "lock_dir": "{{{Dir}}}/lk", "semaphore_prefix": "{{{_context.Prefix}}}", "retry_attempts": 7,
             "registry_files": {"hosts": "h.json", "neighbor_leases": "{{{Dir}}}/n.json"}, "ip_collision_scope": "router",
             "lock_timeouts": {"router_lock": 12.5}}
            """);

        var options = RegistryManagerOptions.FromConfiguration(configuration);

        options.RegistryDirectory.Should().Be(Dir);
        options.LockDirectory.Should().Be($"{Dir}/lk");
        options.SemaphorePrefix.Should().Be(_context.Prefix);
        options.RetryAttempts.Should().Be(7);
        options.LockTimeouts.RouterLockSeconds.Should().Be(12.5);
        options.RegistryFiles.Hosts.Should().Be("h.json");
        options.RegistryFiles.HostLeases.Should().Be(RegistryFileNames.DefaultHostLeases);
        options.RegistryFiles.NeighborLeases.Should().Be($"{Dir}/n.json", "a section's entry is kept as written; validation accepts a path in the registry directory");
        options.IpCollisionScope.Should().Be(IpCollisionScope.Router);
        options.ConfigurationErrors.Should().BeEmpty();

        var manager = Build(options);
        manager.HostsFilePath.Should().Be($"{Dir}/h.json");
        manager.HostLeasesFilePath.Should().Be($"{Dir}/host_leases.json");
        manager.NeighborLeasesFilePath.Should().Be($"{Dir}/n.json");
        manager.LockDirectory.Should().Be($"{Dir}/lk");
        manager.IpCollisionScope.Should().Be(IpCollisionScope.Router);
    }

    [Fact]
    public void FromConfiguration_SectionOfADocument_IsTheSectionOnItsOwn()
    {
        var configuration = Configuration($$$"""
            {"lock_dir": "/ignored", "registry_manager": {"registry_dir": "{{{Dir}}}", "ip_collision_scope": "global", "registry_files": {"hosts": "h.json"} } }
            """);

        var options = RegistryManagerOptions.FromConfiguration(configuration.GetSection("registry_manager"));

        options.RegistryDirectory.Should().Be(Dir);
        options.LockDirectory.Should().BeNull();
        options.RegistryFiles.Hosts.Should().Be("h.json");
        options.IpCollisionScope.Should().Be(IpCollisionScope.Global);
    }

    [Fact]
    public void FromConfiguration_SectionWithoutScopeOrFiles_HasTheSpecificationsDefaults()
    {
        var options = RegistryManagerOptions.FromConfiguration(Configuration($$$"""{"registry_dir": "{{{Dir}}}"}"""));

        options.RegistryFiles.Hosts.Should().Be("hosts.json");
        options.RegistryFiles.HostLeases.Should().Be("host_leases.json");
        options.RegistryFiles.NeighborLeases.Should().Be("neighbor_leases.json");
        options.IpCollisionScope.Should().Be(IpCollisionScope.Global);
    }

    [Fact]
    public void FromConfiguration_SpecificationDocument_ReadsItsRegistryManagerSectionOnly()
    {
        // Top-level lock_dir and registry_files mean something only in a tsim document (one with data_dir).
        var configuration = Configuration($$$"""
            {
              "lock_dir": "/elsewhere/locks",
              "registry_files": {"hosts": "/elsewhere/host_registry.json"},
              "registry_manager": {
                "enabled": true,
                "registry_dir": "{{{Dir}}}",
                "lock_dir": "{{{Dir}}}/locks",
                "lock_timeouts": {"host_registry": 5.5, "host_leases": 3.5, "router_lock": 30.5, "router_lock_atomic": 60.5, "neighbor_leases": 2.5},
                "retry_attempts": 4,
                "retry_delay": 0.25,
                "enable_transaction_log": false,
                "transaction_log_path": "{{{Dir}}}/registry_transactions.log",
                "semaphore_prefix": "{{{_context.Prefix}}}"
              }
            }
            """);

        var options = RegistryManagerOptions.FromConfiguration(configuration);

        options.RegistryDirectory.Should().Be(Dir);
        options.LockDirectory.Should().Be($"{Dir}/locks");
        options.LockTimeouts.HostRegistrySeconds.Should().Be(5.5);
        options.LockTimeouts.HostLeasesSeconds.Should().Be(3.5);
        options.LockTimeouts.RouterLockSeconds.Should().Be(30.5);
        options.LockTimeouts.RouterLockAtomicSeconds.Should().Be(60.5);
        options.LockTimeouts.NeighborLeasesSeconds.Should().Be(2.5);
        options.RetryAttempts.Should().Be(4);
        options.RetryDelaySeconds.Should().Be(0.25);
        options.TransactionLogPath.Should().Be($"{Dir}/registry_transactions.log");
        options.SemaphorePrefix.Should().Be(_context.Prefix);
        options.RegistryFiles.Hosts.Should().Be(RegistryFileNames.DefaultHosts);
        options.IpCollisionScope.Should().Be(IpCollisionScope.Global);
        options.ConfigurationErrors.Should().BeEmpty();
        Build(options).HostsFilePath.Should().Be($"{Dir}/hosts.json");
    }

    [Fact]
    public void FromConfiguration_TsimDocument_BindsAsTsimReadsIt()
    {
        var options = RegistryManagerOptions.FromConfiguration(Configuration(TsimConfigFiles.Document(Dir)));

        options.RegistryDirectory.Should().Be(Dir);
        options.LockDirectory.Should().Be($"{Dir}/locks");
        options.RegistryFiles.Hosts.Should().Be("host_registry.json", "tsim's path in data_dir is reduced to the file name");
        options.RegistryFiles.HostLeases.Should().Be("host_leases.json");
        options.RegistryFiles.NeighborLeases.Should().Be("neighbor_leases.json");
        options.LockTimeouts.HostRegistrySeconds.Should().Be(5.0);
        options.LockTimeouts.HostLeasesSeconds.Should().Be(3.0);
        options.LockTimeouts.RouterLockSeconds.Should().Be(30.0);
        options.LockTimeouts.RouterLockAtomicSeconds.Should().Be(60.0);
        options.LockTimeouts.NeighborLeasesSeconds.Should().Be(3.0);
        options.RetryAttempts.Should().Be(3);
        options.RetryDelaySeconds.Should().Be(0.1);
        options.EnableTransactionLog.Should().BeFalse();
        options.TransactionLogPath.Should().BeNull("tsim writes null");
        options.IpCollisionScope.Should().Be(IpCollisionScope.Router, "each tsim router's LAN is its own namespace");
        options.SemaphorePrefix.Should().Be(RegistryManagerOptions.DefaultSemaphorePrefix, "the document names none");
        options.Group.Should().BeNull("tsim's group lives in another file");
        options.ConfigurationErrors.Should().BeEmpty();
    }

    [Fact]
    public void FromConfiguration_TsimDocument_ManagerUsesTsimsDirectoriesAndFiles()
    {
        var manager = Build(RegistryManagerOptions.FromConfiguration(TsimDocument()));

        manager.RegistryDirectory.Should().Be(Dir);
        manager.LockDirectory.Should().Be($"{Dir}/locks");
        manager.HostsFilePath.Should().Be($"{Dir}/host_registry.json");
        manager.HostLeasesFilePath.Should().Be($"{Dir}/host_leases.json");
        manager.NeighborLeasesFilePath.Should().Be($"{Dir}/neighbor_leases.json");
        manager.SemaphorePrefix.Should().Be(_context.Prefix);
        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();
        manager.CheckAndRegisterHost("web-2", "10.0.0.1", "r2", "02:00:00:00:00:02").Should().BeTrue("IP addresses collide per router in a tsim document");

        File.Exists($"{Dir}/host_registry.json").Should().BeTrue();
        File.Exists(_context.HostsPath).Should().BeFalse();
    }

    [Fact]
    public void FromConfiguration_DataDirWithoutRegistryFiles_IsRefusedNotDropped()
    {
        // tsim requires both; a data_dir alone (an environment variable DATA_DIR, a truncated config.json) must not be
        // dropped silently, which would put the registry in the default directory.
        var alone = RegistryManagerOptions.FromConfiguration(Configuration($$$"""{"data_dir": "{{{Dir}}}"}"""));
        var withSection = RegistryManagerOptions.FromConfiguration(Configuration($$$"""{"data_dir": "{{{Dir}}}", "registry_manager": {"retry_attempts": 2}}"""));

        foreach (var options in new[] { alone, withSection })
        {
            options.ConfigurationErrors.Should().ContainSingle().Which.Key.Should().Be("data_dir");
            var act = () => Build(options);
            act.Should().Throw<OptionsValidationException>().WithMessage("*data_dir*top-level 'registry_files'*");
        }

        withSection.RetryAttempts.Should().Be(2, "the section is still bound");
    }

    [Fact]
    public void FromConfiguration_TsimDocumentNamingSomeFiles_DefaultsTheOthers()
    {
        var options = RegistryManagerOptions.FromConfiguration(Configuration($$$"""
            {"data_dir": "{{{Dir}}}", "registry_files": {"host_leases": "{{{Dir}}}/my_leases.json", "routers": "{{{Dir}}}/router_registry.json"}}
            """));

        options.RegistryFiles.Hosts.Should().Be("host_registry.json");
        options.RegistryFiles.HostLeases.Should().Be("my_leases.json");
        options.RegistryFiles.NeighborLeases.Should().Be("neighbor_leases.json");
    }

    [Fact]
    public void FromConfiguration_TsimDocumentWithFilesOnlyInItsSection_TakesThem()
    {
        var options = RegistryManagerOptions.FromConfiguration(Configuration($$$"""
            {"data_dir": "{{{Dir}}}", "registry_files": {"routers": "{{{Dir}}}/router_registry.json"}, "registry_manager": {"registry_files": {"hosts": "{{{Dir}}}/h.json", "neighbor_leases": "n.json"} } }
            """));

        options.RegistryFiles.Hosts.Should().Be("h.json");
        options.RegistryFiles.HostLeases.Should().Be("host_leases.json");
        options.RegistryFiles.NeighborLeases.Should().Be("n.json");
        options.ConfigurationErrors.Should().BeEmpty();
    }

    [Theory]
    [InlineData("global", IpCollisionScope.Global)]
    [InlineData("router", IpCollisionScope.Router)]
    public void FromConfiguration_TsimDocumentWithExplicitIpScope_ThatScopeWins(string value, IpCollisionScope expected)
    {
        var options = RegistryManagerOptions.FromConfiguration(TsimDocument(("registry_manager:ip_collision_scope", value)));

        options.IpCollisionScope.Should().Be(expected);
    }

    [Fact]
    public void FromConfiguration_TsimDocumentWithIpScopeGlobal_ManagerRefusesAnAddressUsedOnAnotherRouter()
    {
        var manager = Build(RegistryManagerOptions.FromConfiguration(TsimDocument(("registry_manager:ip_collision_scope", "global"))));
        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();

        manager.TryRegisterHost("web-2", "10.0.0.1", "r2", "02:00:00:00:00:02").Collision.Should().Be(HostCollisionKind.IpAddress);
    }

    /// <summary>
    /// One setting given at the top level and in <c>registry_manager</c> with two values: the key and value of each
    /// place. The tsim document gives <c>data_dir</c>, <c>lock_dir</c> and every file at the top level.
    /// </summary>
    public static TheoryData<string, string, string> Conflicts => new()
    {
        { "registry_dir", "/srv/other", "data_dir" },
        { "lock_dir", "/srv/other/locks", "lock_dir" },
        { "registry_files:hosts", "hosts.json", "registry_files:hosts" },
        { "registry_files:host_leases", "/srv/other/leases.json", "registry_files:host_leases" },
        { "registry_files:neighbor_leases", "neighbours.json", "registry_files:neighbor_leases" },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void FromConfiguration_SettingGivenTwiceWithTwoValues_IsRefusedNamingBothKeysAndValues(string sectionKey, string sectionValue, string topLevelKey)
    {
        var configuration = TsimDocument(("registry_manager:" + sectionKey, sectionValue));
        var topLevelValue = configuration[topLevelKey]!;
        var options = RegistryManagerOptions.FromConfiguration(configuration);

        var act = () => Build(options);

        var thrown = act.Should().Throw<OptionsValidationException>().Which;
        thrown.Failures.Should().ContainSingle().Which.Should().Be(
            $"Property {topLevelKey}: the configuration gives '{topLevelKey}' = '{topLevelValue}' and 'registry_manager:{sectionKey}' = '{sectionValue}'; " +
            "they name the same setting. Remove one of them, or give both the same value.");
        thrown.Message.Should().Contain($"'{topLevelKey}'").And.Contain($"'registry_manager:{sectionKey}'");
        Directory.Exists(Dir).Should().BeFalse("nothing is created from refused options");
        Directory.Exists("/srv/other").Should().BeFalse();
    }

    [Fact]
    public void FromConfiguration_EverySettingGivenTwiceWithTwoValues_ListsEveryConflict()
    {
        var configuration = TsimDocument([.. Conflicts.Select(row => ("registry_manager:" + (string)row[0], (string?)row[1]))]);

        var act = () => Build(RegistryManagerOptions.FromConfiguration(configuration));

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().HaveCount(5);
    }

    [Fact]
    public void FromConfiguration_TsimDocumentNestedInALargerConfiguration_ConflictNamesBothKeysTheSameWay()
    {
        var configuration = Configuration($$$"""{"tsim": {"data_dir": "{{{Dir}}}", "registry_files": {"routers": "r.json"}, "registry_manager": {"registry_dir": "/srv/other"} } }""");

        var act = () => Build(RegistryManagerOptions.FromConfiguration(configuration.GetSection("tsim")));

        var message = act.Should().Throw<OptionsValidationException>().Which.Message;
        message.Should().Contain("'tsim:data_dir'").And.Contain("'tsim:registry_manager:registry_dir'", "both keys are full paths of the same configuration");
    }

    [Fact]
    public void FromConfiguration_SettingGivenTwiceWithTheSameValue_IsAccepted()
    {
        var configuration = TsimDocument(
            ("registry_manager:registry_dir", Dir + "/"),
            ("registry_manager:lock_dir", $"{Dir}/locks/"),
            ("registry_manager:registry_files:hosts", "host_registry.json"),
            ("registry_manager:registry_files:host_leases", $"{Dir}/host_leases.json"),
            ("registry_manager:registry_files:neighbor_leases", $"{Dir}//neighbor_leases.json"));

        var options = RegistryManagerOptions.FromConfiguration(configuration);
        var manager = Build(options);

        options.ConfigurationErrors.Should().BeEmpty();
        manager.RegistryDirectory.Should().Be(Dir, "the top-level value is the one kept");
        manager.HostsFilePath.Should().Be($"{Dir}/host_registry.json");
        manager.HostLeasesFilePath.Should().Be($"{Dir}/host_leases.json");
        manager.NeighborLeasesFilePath.Should().Be($"{Dir}/neighbor_leases.json");
    }

    [Theory]
    [InlineData("hosts", "RegistryFiles.Hosts", "/srv/elsewhere/host_registry.json")]
    [InlineData("host_leases", "RegistryFiles.HostLeases", "/srv/elsewhere/host_leases.json")]
    [InlineData("neighbor_leases", "RegistryFiles.NeighborLeases", "{0}/sub/neighbor_leases.json")]
    public void FromConfiguration_TsimRegistryFileOutsideDataDir_IsKeptAndRefused(string key, string property, string entryFormat)
    {
        var entry = string.Format(System.Globalization.CultureInfo.InvariantCulture, entryFormat, Dir);
        var options = RegistryManagerOptions.FromConfiguration(TsimDocument(("registry_files:" + key, entry)));

        var act = () => Build(options);

        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().ContainSingle().Which.Should().StartWith($"Property {property}: must be a file name, or a path in the registry directory '{Dir}' (got '{entry}').");
        Directory.Exists(Dir).Should().BeFalse();
    }

    [Fact]
    public void FromJsonFile_TsimConfigJson_BindsIt()
    {
        var path = Path.Combine(_configDirectory, "config.json");
        File.WriteAllText(path, TsimConfigFiles.Document(Dir));

        var options = RegistryManagerOptions.FromJsonFile(path);

        options.RegistryDirectory.Should().Be(Dir);
        options.LockDirectory.Should().Be($"{Dir}/locks");
        options.RegistryFiles.Hosts.Should().Be("host_registry.json");
        options.RegistryFiles.HostLeases.Should().Be("host_leases.json");
        options.RegistryFiles.NeighborLeases.Should().Be("neighbor_leases.json");
        options.LockTimeouts.RouterLockAtomicSeconds.Should().Be(60.0);
        options.IpCollisionScope.Should().Be(IpCollisionScope.Router);
        options.SemaphorePrefix = _context.Prefix;
        Build(options).HostsFilePath.Should().Be($"{Dir}/host_registry.json");
    }

    [Fact]
    public void FromJsonFile_SpecificationFile_BindsItsSection()
    {
        var path = Path.Combine(_configDirectory, "registry.json");
        File.WriteAllText(path, $$$"""{"registry_manager": {"registry_dir": "{{{Dir}}}", "retry_attempts": 9}}""");

        var options = RegistryManagerOptions.FromJsonFile(path);

        options.RegistryDirectory.Should().Be(Dir);
        options.RetryAttempts.Should().Be(9);
        options.RegistryFiles.Hosts.Should().Be("hosts.json");
        options.IpCollisionScope.Should().Be(IpCollisionScope.Global);
    }

    [Theory]
    [InlineData("missing.json")]
    [InlineData("no-such-dir/config.json")]
    public void FromJsonFile_MissingFile_ThrowsFileNotFoundNamingIt(string relative)
    {
        var path = Path.Combine(_configDirectory, relative);

        var act = () => RegistryManagerOptions.FromJsonFile(path);

        act.Should().Throw<FileNotFoundException>().WithMessage($"*{Path.GetFileName(path)}*");
    }

    [Theory]
    [InlineData("{\"data_dir\": ")]
    [InlineData("{\"data_dir\": \"/x\",, }")]
    [InlineData("not json at all")]
    [InlineData("[1, 2]")]
    [InlineData("{\"data_dir\": \"/x\", \"data_dir\": \"/y\"}")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("\"/dev/shm/tsim\"")]
    public void FromJsonFile_InvalidJson_ThrowsInvalidDataNamingTheFile(string content)
    {
        var path = Path.Combine(_configDirectory, "config.json");
        File.WriteAllText(path, content);

        var act = () => RegistryManagerOptions.FromJsonFile(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*");
    }

    [Fact]
    public void FromJsonFile_NullOrEmptyPath_ThrowsArgumentException()
    {
        FluentActions.Invoking(() => RegistryManagerOptions.FromJsonFile(null!)).Should().Throw<ArgumentNullException>().WithParameterName("path");
        FluentActions.Invoking(() => RegistryManagerOptions.FromJsonFile(string.Empty)).Should().Throw<ArgumentException>().WithParameterName("path");
    }

    [Fact]
    public void FromConfiguration_Null_ThrowsArgumentNull()
    {
        var act = () => RegistryManagerOptions.FromConfiguration(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("configuration");
    }
}
