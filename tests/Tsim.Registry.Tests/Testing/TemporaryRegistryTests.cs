using System.Globalization;
using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Testing;

/// <summary>
/// The public test helper on its own: its layout, its managers, its refusals and its cleanup. (Every other unit test
/// uses it too, through <see cref="RegistryTestContext"/>.)
/// </summary>
public sealed class TemporaryRegistryTests
{
    [Fact]
    public void Constructor_CreatesAnEmptyDirectoryNamedAfterItsPrefixAndCreator()
    {
        using var registry = new TemporaryRegistry();

        registry.SemaphorePrefix.Should().MatchRegex("^tmpreg[0-9a-f]{16}$");
        var identity = ProcessIdentity.Current;
        registry.Directory.Should().Be($"/dev/shm/{registry.SemaphorePrefix}.{identity.FileNameForm}");
        Directory.EnumerateFileSystemEntries(registry.Directory).Should().BeEmpty();
        File.GetUnixFileMode(registry.Directory).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        registry.RegistryDirectory.Should().Be(Path.Combine(registry.Directory, "registry"));
        Directory.Exists(registry.RegistryDirectory).Should().BeFalse("the first manager creates the registry, as a deployment's would");
    }

    [Fact]
    public void Constructor_TwoRegistries_HaveTheirOwnDirectoriesAndPrefixes()
    {
        using var first = new TemporaryRegistry();
        using var second = new TemporaryRegistry();

        second.SemaphorePrefix.Should().NotBe(first.SemaphorePrefix);
        second.Directory.Should().NotBe(first.Directory);
    }

    [Fact]
    public void Constructor_ParentDirectory_IsCreatedAndUsed()
    {
        using var scratch = new TemporaryRegistry();
        var parent = Path.Combine(scratch.Directory, "parent", "deeper");

        using var registry = TemporaryRegistry.Create(new TemporaryRegistryOptions { ParentDirectory = parent });

        Path.GetDirectoryName(registry.Directory).Should().Be(parent);
        Directory.Exists(registry.Directory).Should().BeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("relative/dir")]
    public void Constructor_ParentDirectoryNotAbsolute_ThrowsNamingOptions(string parent)
    {
        var act = () => TemporaryRegistry.Create(new TemporaryRegistryOptions { ParentDirectory = parent });

        act.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage("*absolute*");
    }

    [Fact]
    public void Constructor_ConfigureManagersMovingTheRegistryOut_ThrowsAndLeavesNothing()
    {
        using var scratch = new TemporaryRegistry();
        var parent = Path.Combine(scratch.Directory, "parent");

        var act = () => TemporaryRegistry.Create(new TemporaryRegistryOptions { ParentDirectory = parent, ConfigureManagers = o => o.RegistryDirectory = "/dev/shm/tsim" });

        act.Should().Throw<ArgumentException>().WithMessage("*RegistryDirectory '/dev/shm/tsim' is outside*");
        Directory.EnumerateFileSystemEntries(parent).Should().BeEmpty("the directory made for it is removed again");
    }

    [Fact]
    public void Manager_IsReadyCreatedOnceAndWorksOnTheRegistry()
    {
        using var registry = new TemporaryRegistry();

        var manager = registry.Manager;
        manager.RegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a");

        registry.Manager.Should().BeSameAs(manager);
        manager.RegistryDirectory.Should().Be(registry.RegistryDirectory);
        manager.LockDirectory.Should().Be(Path.Combine(registry.RegistryDirectory, "locks"));
        manager.SemaphorePrefix.Should().Be(registry.SemaphorePrefix);
        File.Exists(Path.Combine(registry.RegistryDirectory, "hosts.json")).Should().BeTrue();
    }

    [Fact]
    public async Task Manager_FirstUseFromManyThreads_IsOneManager()
    {
        using var registry = new TemporaryRegistry();
        using var start = new Barrier(8);

        var managers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return registry.Manager;
        })));

        managers.Distinct().Should().ContainSingle();
    }

    [Fact]
    public void CreateManager_TwoManagers_ShareTheRegistryAndExcludeEachOther()
    {
        using var registry = new TemporaryRegistry();
        var first = registry.CreateManager();
        var second = registry.CreateManager();

        first.RegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a");
        second.GetHostInfo("web-1").Should().NotBeNull("both work on one registry");

        using (first.RouterLock("router-1", "job-1"))
        {
            second.AcquireRouterLock("router-1", "job-2", TimeSpan.Zero).Should().BeFalse("the first manager holds the router");
            second.GetRouterLockOwner("router-1")!.JobId.Should().Be("job-1");
        }

        second.AcquireRouterLock("router-1", "job-2", TimeSpan.Zero).Should().BeTrue();
    }

    [Fact]
    public async Task SixteenRegistriesAtOnce_SameHostAndRouterInEach_EachSeesOnlyItsOwn()
    {
        const int Count = 16;
        using var allHold = new Barrier(Count);

        // On threads of their own, all at once: each registers the same host and locks the same router (which would
        // collide if two registries were one), waits until every registry has done so, then looks.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Count).Select(index => Task.Factory.StartNew(
            () =>
            {
                using var registry = new TemporaryRegistry();
                var job = $"job-{index}";
                var registered = registry.Manager.TryRegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a", new Dictionary<string, object?> { ["registry"] = index }).IsRegistered;
                var locked = registry.Manager.AcquireRouterLock("router-1", job, TimeSpan.Zero);
                allHold.SignalAndWait();
                var hosts = registry.Manager.ListAllHosts();
                return (registered, locked, Hosts: string.Join(",", hosts.Keys), Index: hosts["web-1"].AdditionalInfo["registry"].GetInt32(),
                    Owner: registry.Manager.GetRouterLockOwner("router-1")?.JobId, Job: job);
            },
            TaskCreationOptions.LongRunning)));

        outcomes.Should().OnlyContain(o => o.registered && o.locked && o.Hosts == "web-1" && o.Owner == o.Job);
        outcomes.Select(o => o.Index).Should().BeEquivalentTo(Enumerable.Range(0, Count), "each registry sees the host it registered itself");
    }

    [Fact]
    public void CreateManager_ConfigureManagers_AppliesToEveryManagerBeforeTheCallersConfigure()
    {
        using var registry = TemporaryRegistry.Create(new TemporaryRegistryOptions
        {
            ConfigureManagers = o =>
            {
                o.IpCollisionScope = IpCollisionScope.Router;
                o.RegistryFiles.Hosts = RegistryFileNames.TsimHosts;
            },
        });

        registry.Manager.IpCollisionScope.Should().Be(IpCollisionScope.Router);
        registry.Manager.HostsFilePath.Should().EndWith("/" + RegistryFileNames.TsimHosts);
        registry.CreateManager(o => o.IpCollisionScope = IpCollisionScope.Global).IpCollisionScope.Should().Be(IpCollisionScope.Global);
    }

    public static TheoryData<string, Action<RegistryManagerOptions>> NotIsolated => new()
    {
        { "RegistryDirectory '/dev/shm/tsim'", o => o.RegistryDirectory = "/dev/shm/tsim" },
        { "RegistryDirectory", o => o.RegistryDirectory = o.RegistryDirectory + "/../../escaped" },
        { "RegistryDirectory", o => o.RegistryDirectory = string.Empty },
        { "LockDirectory '/tmp/locks'", o => o.LockDirectory = "/tmp/locks" },
        { "TransactionLogPath '/tmp/tx.log'", o => o.TransactionLogPath = "/tmp/tx.log" },
        { "own semaphore prefix", o => o.SemaphorePrefix = RegistryManagerOptions.DefaultSemaphorePrefix },
    };

    [Theory]
    [MemberData(nameof(NotIsolated))]
    public void CreateManager_ConfigureLeavingTheRegistry_ThrowsNamingTheSettingAndCreatesNothing(string named, Action<RegistryManagerOptions> configure)
    {
        using var registry = new TemporaryRegistry();

        var act = () => registry.CreateManager(configure);

        act.Should().Throw<ArgumentException>().WithParameterName(nameof(configure)).WithMessage($"*{named}*");
        Directory.EnumerateFileSystemEntries(registry.Directory).Should().BeEmpty();
        Directory.GetFiles("/dev/shm", $"sem.{registry.SemaphorePrefix}-*").Should().BeEmpty();
    }

    [Fact]
    public void CreateManager_DirectoriesInsideTheRegistry_AreAllowed()
    {
        using var registry = new TemporaryRegistry();

        var manager = registry.CreateManager(o =>
        {
            o.RegistryDirectory = Path.Combine(registry.Directory, "group-a");
            o.LockDirectory = Path.Combine(registry.Directory, "group-a-locks");
        });

        manager.LockDirectory.Should().Be(Path.Combine(registry.Directory, "group-a-locks"));
    }

    [Fact]
    public void Configure_ForOptionsMadeElsewhere_PointsThemAtTheRegistry()
    {
        using var registry = new TemporaryRegistry();
        var options = new RegistryManagerOptions { SharedWithPython = false };

        registry.Configure(options);

        options.RegistryDirectory.Should().Be(registry.RegistryDirectory);
        options.LockDirectory.Should().BeNull();
        options.SemaphorePrefix.Should().Be(registry.SemaphorePrefix);
        options.SharedWithPython.Should().BeFalse("what the caller set and the registry does not own stays");
    }

    [Fact]
    public void WriteConfigurationFile_ReadBack_GivesTheSameOptions()
    {
        using var registry = TemporaryRegistry.Create(new TemporaryRegistryOptions { ConfigureManagers = o => o.SharedWithPython = false });

        void EverySetting(RegistryManagerOptions o)
        {
            o.LockDirectory = Path.Combine(registry.Directory, "locks-elsewhere");
            o.RegistryFiles.Hosts = "h.json";
            o.RegistryFiles.HostLeases = "hl.json";
            o.RegistryFiles.NeighborLeases = "nl.json";
            o.IpCollisionScope = IpCollisionScope.Router;
            o.LockTimeouts.HostRegistrySeconds = 1.5;
            o.LockTimeouts.HostLeasesSeconds = 2.5;
            o.LockTimeouts.RouterLockSeconds = 3.5;
            o.LockTimeouts.RouterLockAtomicSeconds = 4.5;
            o.LockTimeouts.NeighborLeasesSeconds = 5.5;
            o.RetryAttempts = 5;
            o.RetryDelaySeconds = 0.25;
            o.EnableTransactionLog = true;
            o.TransactionLogPath = Path.Combine(registry.Directory, "tx.log");
            o.LockProbeIntervalSeconds = 0.05;
        }

        var path = registry.WriteConfigurationFile(EverySetting);
        var expected = registry.CreateOptions(EverySetting);

        Path.GetDirectoryName(path).Should().Be(registry.Directory);
        var read = RegistryManagerOptions.FromJsonFile(path);

        read.Should().BeEquivalentTo(expected, "every setting survives the file");
        read.SharedWithPython.Should().BeFalse("ConfigureManagers applies to the file too");
    }

    [Fact]
    public void WriteConfigurationFile_DefaultOptions_ReadBackAsDefaultsOnTheRegistry()
    {
        using var registry = new TemporaryRegistry();

        var read = RegistryManagerOptions.FromJsonFile(registry.WriteConfigurationFile());

        read.Should().BeEquivalentTo(registry.CreateOptions());
        read.LockDirectory.Should().BeNull("an unset lock directory stays unset (the registry's 'locks')");
    }

    [Fact]
    public void WriteConfigurationFile_TwoCalls_WriteTwoFiles()
    {
        using var registry = new TemporaryRegistry();

        var first = registry.WriteConfigurationFile(o => o.SharedWithPython = true);
        var second = registry.WriteConfigurationFile(o => o.SharedWithPython = false);

        second.Should().NotBe(first);
        RegistryManagerOptions.FromJsonFile(first).SharedWithPython.Should().BeTrue("a child not yet started still finds its own file");
    }

    [Fact]
    public void Dispose_RemovesTheDirectoryAndExactlyThisPrefixsSemaphores()
    {
        var registry = new TemporaryRegistry();
        using var neighbour = new TemporaryRegistry();
        var longerPrefix = registry.SemaphorePrefix + "x"; // sem.PREFIXx-* does not match sem.PREFIX-*.
        using var longer = new RegistryManager(new RegistryManagerOptions
        {
            RegistryDirectory = Path.Combine(neighbour.Directory, "longer"),
            SemaphorePrefix = longerPrefix,
        });
        try
        {
            registry.Manager.RegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a");
            registry.Manager.AcquireRouterLock("router-1", "job-1").Should().BeTrue();
            registry.CreateManager().AcquireRouterLock("router-2", "job-2").Should().BeTrue();
            neighbour.Manager.AcquireRouterLock("router-1", "job-1").Should().BeTrue();
            longer.AcquireRouterLock("router-1", "job-1").Should().BeTrue();
            Directory.GetFiles("/dev/shm", $"sem.{registry.SemaphorePrefix}-*").Should().HaveCountGreaterThanOrEqualTo(4, "two routers, the hosts lock and the binding");

            registry.Dispose();

            Directory.Exists(registry.Directory).Should().BeFalse();
            Directory.GetFiles("/dev/shm", $"sem.{registry.SemaphorePrefix}-*").Should().BeEmpty("its semaphores, the binding included, are unlinked");
            File.Exists($"/dev/shm/sem.{neighbour.SemaphorePrefix}-router-router-1").Should().BeTrue("another registry's are not");
            File.Exists($"/dev/shm/sem.{longerPrefix}-router-router-1").Should().BeTrue("nor a longer prefix's");
            neighbour.Manager.IsRouterLocked("router-1").Should().BeTrue();
        }
        finally
        {
            longer.Dispose();
            foreach (var file in Directory.GetFiles("/dev/shm", $"sem.{longerPrefix}-*"))
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task Dispose_ManagersHoldingLocks_DisposesThemAndCanBeRepeated()
    {
        var registry = new TemporaryRegistry();
        var manager = registry.CreateManager();
        var scope = manager.RouterLock("router-1", "job-1");

        registry.Dispose();
        registry.Dispose();
        await registry.DisposeAsync();

        manager.Invoking(m => m.IsRouterLocked("router-1")).Should().Throw<ObjectDisposedException>("the registry disposed its managers");
        scope.Invoking(s => s.Dispose()).Should().NotThrow("a scope outliving its registry is released quietly");
        registry.Invoking(r => r.Manager).Should().Throw<ObjectDisposedException>();
        registry.Invoking(r => r.CreateManager()).Should().Throw<ObjectDisposedException>();
        registry.Invoking(r => r.WriteConfigurationFile()).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task DisposeAsync_RemovesEverything()
    {
        var registry = new TemporaryRegistry();
        registry.Manager.AcquireRouterLock("router-1", "job-1").Should().BeTrue();

        await registry.DisposeAsync();

        Directory.Exists(registry.Directory).Should().BeFalse();
        Directory.GetFiles("/dev/shm", $"sem.{registry.SemaphorePrefix}-*").Should().BeEmpty();
    }

    [Fact]
    public void RemoveLeftovers_RegistryOfAnExitedProcess_RemovesItsDirectoryAndSemaphores()
    {
        using var scratch = new TemporaryRegistry();
        var parent = Path.Combine(scratch.Directory, "parent");
        var (prefix, directory) = Leftovers.Plant(parent, Leftovers.ExitedProcess());

        var removed = TemporaryRegistry.RemoveLeftovers(parent);

        Directory.Exists(directory).Should().BeFalse();
        Directory.GetFiles("/dev/shm", $"sem.{prefix}-*").Should().BeEmpty();
        removed.Should().Contain(directory).And.Contain($"/dev/shm/sem.{prefix}-router-router-1").And.Contain($"/dev/shm/sem.{prefix}-lock-directory");
    }

    [Fact]
    public void RemoveLeftovers_RunningRegistriesAndForeignNames_AreLeftAlone()
    {
        using var scratch = new TemporaryRegistry();
        var parent = Path.Combine(scratch.Directory, "parent");
        using var running = TemporaryRegistry.Create(new TemporaryRegistryOptions { ParentDirectory = parent });
        running.Manager.AcquireRouterLock("router-1", "job-1").Should().BeTrue();
        var exited = Leftovers.ExitedProcess();
        var notOurs = new[]
        {
            Path.Combine(parent, "tmpreg-not-a-registry"),
            Path.Combine(parent, $"tmpreg0123456789abcdef.{exited.FileNameForm}-suffix"),
            Path.Combine(parent, $"tmpregXYZ3456789abcdef.{exited.FileNameForm}"),
            Path.Combine(parent, $"tmpreg0123456789abcdef.{exited.Pid}-{exited.StartTime}-999"), // another pid namespace
        };
        foreach (var directory in notOurs)
        {
            Directory.CreateDirectory(directory);
        }

        var removed = TemporaryRegistry.RemoveLeftovers(parent);

        removed.Should().BeEmpty();
        notOurs.Should().OnlyContain(d => Directory.Exists(d));
        running.Manager.IsRouterLocked("router-1").Should().BeTrue();
        Directory.GetFiles("/dev/shm", $"sem.{running.SemaphorePrefix}-*").Should().NotBeEmpty();
    }

    [Fact]
    public void RemoveLeftovers_SemaphoresWithoutTheirDirectory_AreLeftAlone()
    {
        // No directory, no creator to judge: a registry whose directory is out of this process's sight (another mount
        // namespace, a private /tmp) looks exactly like this, and may be running.
        using var scratch = new TemporaryRegistry();
        var parent = Path.Combine(scratch.Directory, "parent");
        var (prefix, directory) = Leftovers.Plant(parent, Leftovers.ExitedProcess());
        Directory.Delete(directory, recursive: true);
        try
        {
            TemporaryRegistry.RemoveLeftovers(parent).Should().BeEmpty();

            Directory.GetFiles("/dev/shm", $"sem.{prefix}-*").Should().NotBeEmpty();
        }
        finally
        {
            foreach (var file in Directory.GetFiles("/dev/shm", $"sem.{prefix}-*"))
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public void RemoveLeftovers_ParentNotAbsolute_ThrowsNamingIt()
    {
        var act = () => TemporaryRegistry.RemoveLeftovers("relative");

        act.Should().Throw<ArgumentException>().WithParameterName("parentDirectory");
    }

    [Fact]
    public void PlantedIdentity_FileNameForm_RoundTrips()
    {
        var identity = ProcessIdentity.Current;

        ProcessIdentity.TryParseFileNameForm(identity.FileNameForm, out var parsed).Should().BeTrue();

        parsed!.Pid.Should().Be(identity.Pid);
        parsed.StartTime.Should().Be(identity.StartTime);
        parsed.FileNameForm.Should().Be(identity.FileNameForm);
        parsed.HasExited().Should().BeFalse("this process runs");
        string.Create(CultureInfo.InvariantCulture, $"{identity.Pid}-{identity.StartTime}").Should().Be(identity.FileNameForm[..identity.FileNameForm.LastIndexOf('-')]);
    }
}
