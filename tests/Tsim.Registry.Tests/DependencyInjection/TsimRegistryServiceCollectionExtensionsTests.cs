using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.DependencyInjection;

public sealed class TsimRegistryServiceCollectionExtensionsTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public TsimRegistryServiceCollectionExtensionsTests() => _context.EnsureDirectories();

    public void Dispose() => _context.Dispose();

    /// <summary>
    /// The specification's configuration (EXAMPLE_CONFIG_JSON of python-reference/registry_manager.py) with this
    /// test's directory and prefix and distinct timeouts, written to a file and loaded through the JSON provider;
    /// <paramref name="overrides"/> (keys below <c>registry_manager</c>) are layered on top, as an environment would.
    /// </summary>
    private IConfigurationSection LoadSpecificationSection(params (string Key, string? Value)[] overrides)
    {
        var path = Path.Combine(_context.RegistryDirectory, "tsim.json");
        File.WriteAllText(path, $$"""
            {
                "registry_manager": {
                    "enabled": true,
                    "registry_dir": "{{_context.RegistryDirectory}}",
                    "lock_dir": "{{_context.LockDirectory}}",
                    "lock_timeouts": {
                        "host_registry": 5.5,
                        "host_leases": 3.5,
                        "router_lock": 30.5,
                        "router_lock_atomic": 60.5,
                        "neighbor_leases": 2.5
                    },
                    "retry_attempts": 4,
                    "retry_delay": 0.25,
                    "enable_transaction_log": false,
                    "transaction_log_path": "{{_context.RegistryDirectory}}/registry_transactions.log",
                    "semaphore_prefix": "{{_context.Prefix}}"
                }
            }
            """);
        return new ConfigurationBuilder()
            .AddJsonFile(path)
            .AddInMemoryCollection(overrides.Select(o => new KeyValuePair<string, string?>("registry_manager:" + o.Key, o.Value)))
            .Build()
            .GetSection("registry_manager");
    }

    /// <summary>
    /// A tsim host's whole <c>config.json</c> (<see cref="TsimConfigFiles.Document"/> on this test's directory), written
    /// to a file and loaded as an application would, with this test's prefix and <paramref name="overrides"/> (full keys)
    /// layered on top.
    /// </summary>
    private IConfigurationRoot LoadTsimDocument(params (string Key, string? Value)[] overrides)
    {
        var path = Path.Combine(_context.RegistryDirectory, "config.json");
        File.WriteAllText(path, TsimConfigFiles.Document(_context.RegistryDirectory));
        return new ConfigurationBuilder()
            .AddJsonFile(path)
            .AddInMemoryCollection(TsimConfigFiles.PrefixOverlay(_context.Prefix))
            .AddInMemoryCollection(overrides.Select(o => new KeyValuePair<string, string?>(o.Key, o.Value)))
            .Build();
    }

    private static ServiceProvider Build(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        configure(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public void AddTsimRegistry_SpecificationJson_ResolvesSingletonBoundToIt()
    {
        var section = LoadSpecificationSection();
        using var provider = Build(s => s.AddTsimRegistry(section));

        var manager = provider.GetRequiredService<RegistryManager>();

        provider.GetRequiredService<RegistryManager>().Should().BeSameAs(manager);
        using (var scope = provider.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<RegistryManager>().Should().BeSameAs(manager, "a singleton, not scoped");
        }

        manager.RegistryDirectory.Should().Be(_context.RegistryDirectory);
        manager.LockDirectory.Should().Be(_context.LockDirectory);
        manager.SemaphorePrefix.Should().Be(_context.Prefix);

        var options = provider.GetRequiredService<IOptions<RegistryManagerOptions>>().Value;
        options.LockTimeouts.HostRegistrySeconds.Should().Be(5.5);
        options.LockTimeouts.HostLeasesSeconds.Should().Be(3.5);
        options.LockTimeouts.RouterLockSeconds.Should().Be(30.5);
        options.LockTimeouts.RouterLockAtomicSeconds.Should().Be(60.5);
        options.LockTimeouts.NeighborLeasesSeconds.Should().Be(2.5);
        options.RetryAttempts.Should().Be(4);
        options.RetryDelaySeconds.Should().Be(0.25);
        options.EnableTransactionLog.Should().BeFalse();
        options.TransactionLogPath.Should().Be($"{_context.RegistryDirectory}/registry_transactions.log");
    }

    [Fact]
    public void AddTsimRegistry_ResolvedManager_WorksOnTheConfiguredRegistry()
    {
        using var provider = Build(s => s.AddTsimRegistry(LoadSpecificationSection()));
        var manager = provider.GetRequiredService<RegistryManager>();

        manager.CheckAndRegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a").Should().BeTrue();
        manager.AcquireRouterLock("router-1", "job-1").Should().BeTrue();

        File.Exists(_context.HostsPath).Should().BeTrue();
        _context.RouterSemaphoreValue("router-1").Should().Be(0, "the semaphore carries the configured prefix");
    }

    [Fact]
    public void AddTsimRegistry_TsimDocument_ResolvesAManagerOnTsimsDirectoriesAndFiles()
    {
        using var provider = Build(s => s.AddTsimRegistry(LoadTsimDocument()));
        provider.GetRequiredService<IStartupValidator>().Validate();

        var manager = provider.GetRequiredService<RegistryManager>();

        manager.RegistryDirectory.Should().Be(_context.RegistryDirectory);
        manager.LockDirectory.Should().Be(_context.LockDirectory);
        manager.HostsFilePath.Should().Be(Path.Combine(_context.RegistryDirectory, "host_registry.json"));
        manager.HostLeasesFilePath.Should().Be(_context.HostLeasesPath);
        manager.NeighborLeasesFilePath.Should().Be(_context.NeighborLeasesPath);
        manager.IpCollisionScope.Should().Be(IpCollisionScope.Router);
        manager.SemaphorePrefix.Should().Be(_context.Prefix);
        provider.GetRequiredService<IOptions<RegistryManagerOptions>>().Value.LockTimeouts.RouterLockAtomicSeconds.Should().Be(60.0);

        manager.CheckAndRegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a").Should().BeTrue();
        manager.CheckAndRegisterHost("web-2", "10.0.0.10", "router-2", "02:00:00:00:00:0b").Should().BeTrue("addresses collide per router");
        File.Exists(Path.Combine(_context.RegistryDirectory, "host_registry.json")).Should().BeTrue();
        File.Exists(_context.HostsPath).Should().BeFalse();
    }

    [Fact]
    public void AddTsimRegistry_TsimDocumentsSection_IsTheSectionOnItsOwn()
    {
        // The section alone knows nothing of the document's data_dir: the specification's defaults apply.
        var section = LoadTsimDocument(("registry_manager:registry_dir", _context.RegistryDirectory)).GetSection("registry_manager");
        using var provider = Build(s => s.AddTsimRegistry(section));

        var manager = provider.GetRequiredService<RegistryManager>();

        manager.HostsFilePath.Should().Be(_context.HostsPath);
        manager.IpCollisionScope.Should().Be(IpCollisionScope.Global);
    }

    public static TheoryData<string, string, string> TsimDocumentConflicts => new()
    {
        { "registry_manager:registry_dir", "/srv/other", "data_dir" },
        { "registry_manager:lock_dir", "/srv/other/locks", "lock_dir" },
        { "registry_manager:registry_files:hosts", "hosts.json", "registry_files:hosts" },
    };

    [Theory]
    [MemberData(nameof(TsimDocumentConflicts))]
    public void AddTsimRegistry_TsimDocumentGivingASettingTwice_FailsAtStartAndOnResolutionNamingBothKeys(string sectionKey, string value, string topLevelKey)
    {
        var configuration = LoadTsimDocument((sectionKey, value));
        using var provider = Build(s => s.AddTsimRegistry(configuration));

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();
        var resolve = () => provider.GetRequiredService<RegistryManager>();

        var pattern = $"*'{topLevelKey}' = '{configuration[topLevelKey]}' and '{sectionKey}' = '{value}'; they name the same setting*";
        validate.Should().Throw<OptionsValidationException>().WithMessage(pattern);
        resolve.Should().Throw<OptionsValidationException>().WithMessage(pattern);
        _context.SemaphoreFiles().Should().BeEmpty();
    }

    [Fact]
    public void ProviderDispose_RouterLockHeld_ReleasesIt()
    {
        var provider = Build(s => s.AddTsimRegistry(LoadSpecificationSection()));
        var manager = provider.GetRequiredService<RegistryManager>();
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();

        provider.Dispose();

        _context.RouterSemaphoreValue("r1").Should().Be(1, "the container disposes the manager, which releases what it holds");
        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        var act = () => manager.IsRouterLocked("r1");
        act.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task ProviderDisposeAsync_RouterLockHeld_ReleasesIt()
    {
        var provider = Build(s => s.AddTsimRegistry(LoadSpecificationSection()));
        (await provider.GetRequiredService<RegistryManager>().AcquireRouterLockAsync("r1", "job-1")).Should().BeTrue();

        await provider.DisposeAsync();

        _context.RouterSemaphoreValue("r1").Should().Be(1);
    }

    public static TheoryData<string, string, string> InvalidSettings => new()
    {
        { "retry_attempts", "0", nameof(RegistryManagerOptions.RetryAttempts) },
        { "retry_delay", "61", nameof(RegistryManagerOptions.RetryDelaySeconds) },
        { "lock_probe_interval", "0", nameof(RegistryManagerOptions.LockProbeIntervalSeconds) },
        { "lock_timeouts:router_lock", "-1", nameof(RegistryLockTimeouts.RouterLockSeconds) },
        { "enabled", "false", nameof(RegistryManagerOptions.Enabled) },
        { "registry_dir", "relative/dir", nameof(RegistryManagerOptions.RegistryDirectory) },
        { "lock_dir", "locks", nameof(RegistryManagerOptions.LockDirectory) },
        { "transaction_log_path", "relative.log", nameof(RegistryManagerOptions.TransactionLogPath) },
        { "semaphore_prefix", "bad/prefix", nameof(RegistryManagerOptions.SemaphorePrefix) },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void StartupValidation_InvalidOption_ThrowsNamingTheProperty(string key, string value, string property)
    {
        // The transaction log path is only checked while the log is enabled.
        using var provider = Build(s => s.AddTsimRegistry(LoadSpecificationSection((key, value), ("enable_transaction_log", key == "transaction_log_path" ? "true" : "false"))));

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().Contain(f => f.Contains(property, StringComparison.Ordinal));
    }

    [Fact]
    public void StartupValidation_ValidOptions_DoesNotThrowAndBuildsNoManager()
    {
        using var provider = Build(s => s.AddTsimRegistry(LoadSpecificationSection()));

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().NotThrow();
        _context.SemaphoreFiles().Should().BeEmpty();
    }

    [Fact]
    public void StartupValidation_SeveralInvalidOptions_ListsEveryFailure()
    {
        using var provider = Build(s => s.AddTsimRegistry(LoadSpecificationSection(("retry_attempts", "0"), ("semaphore_prefix", "a b"))));

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures.ToArray();
        failures.Should().Contain(f => f.Contains(nameof(RegistryManagerOptions.RetryAttempts), StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains(nameof(RegistryManagerOptions.SemaphorePrefix), StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_InvalidOptionsWithoutStartupValidation_ThrowsOptionsValidation()
    {
        using var provider = Build(s => s.AddTsimRegistry(LoadSpecificationSection(("retry_attempts", "0"))));

        var act = () => provider.GetRequiredService<RegistryManager>();

        act.Should().Throw<OptionsValidationException>().WithMessage("*RetryAttempts*");
    }

    [Fact]
    public void AddTsimRegistry_Delegate_ConfiguresAndValidates()
    {
        using var provider = Build(s => s.AddTsimRegistry(o =>
        {
            o.RegistryDirectory = _context.RegistryDirectory;
            o.SemaphorePrefix = _context.Prefix;
            o.LockTimeouts.RouterLockSeconds = 7;
        }));

        provider.GetRequiredService<IStartupValidator>().Validate();
        var manager = provider.GetRequiredService<RegistryManager>();

        manager.RegistryDirectory.Should().Be(_context.RegistryDirectory);
        manager.SemaphorePrefix.Should().Be(_context.Prefix);
        provider.GetRequiredService<IOptions<RegistryManagerOptions>>().Value.LockTimeouts.RouterLockSeconds.Should().Be(7);
    }

    [Fact]
    public void AddTsimRegistry_DelegateWithInvalidValue_FailsAtStart()
    {
        using var provider = Build(s => s.AddTsimRegistry(o =>
        {
            o.RegistryDirectory = _context.RegistryDirectory;
            o.SemaphorePrefix = _context.Prefix;
            o.RetryAttempts = RegistryManagerOptions.MaxRetryAttempts + 1;
        }));

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().WithMessage("*RetryAttempts*");
    }

    [Fact]
    public void AddTsimRegistry_UserRegisteredManagerFirst_UserRegistrationWins()
    {
        var own = _context.CreateManager();
        using var provider = Build(s =>
        {
            s.AddSingleton(own);
            s.AddTsimRegistry(LoadSpecificationSection());
        });

        provider.GetRequiredService<RegistryManager>().Should().BeSameAs(own);
        provider.GetServices<RegistryManager>().Should().ContainSingle("TryAdd must not add a second registration");
    }

    [Fact]
    public void AddTsimRegistry_InterfacesAndClass_ResolveToOneSingleton()
    {
        RegistryManager manager;
        using (var provider = Build(s => s.AddTsimRegistry(LoadSpecificationSection())))
        {
            manager = provider.GetRequiredService<RegistryManager>();
            provider.GetRequiredService<IRegistryManager>().Should().BeSameAs(manager);
            provider.GetRequiredService<IHostRegistry>().Should().BeSameAs(manager);
            provider.GetRequiredService<ILeaseRegistry>().Should().BeSameAs(manager);
            provider.GetRequiredService<IRouterLocks>().Should().BeSameAs(manager);

            // Through a role, the singleton's locks: held as seen from the class.
            provider.GetRequiredService<IRouterLocks>().AcquireRouterLock("r1", "job-1", TimeSpan.Zero).Should().BeTrue();
            manager.ListHeldLocks().Should().ContainSingle(l => l.LockName == $"{_context.Prefix}-router-r1");
        }

        // Disposed once by the container (not once per interface): the lock is released, and the manager is disposed.
        RegistryTestContext.SemaphoreValue($"{_context.Prefix}-router-r1").Should().Be(1);
        manager.Invoking(m => m.IsRouterLocked("r1")).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void AddTsimRegistry_DoubleRegisteredAsIRegistryManagerFirst_ServesEveryRole()
    {
        var fake = System.Reflection.DispatchProxy.Create<IRegistryManager, UnusedRegistry>();
        using var provider = Build(s =>
        {
            s.AddSingleton(fake);
            s.AddTsimRegistry(LoadSpecificationSection());
        });

        provider.GetRequiredService<IRegistryManager>().Should().BeSameAs(fake);
        provider.GetRequiredService<IHostRegistry>().Should().BeSameAs(fake);
        provider.GetRequiredService<ILeaseRegistry>().Should().BeSameAs(fake);
        provider.GetRequiredService<IRouterLocks>().Should().BeSameAs(fake);
        Directory.Exists(_context.LockDirectory).Should().BeTrue();
        Directory.EnumerateFileSystemEntries(_context.LockDirectory).Should().BeEmpty("no real manager was built for the roles");
    }

    /// <summary>A test double whose every member throws: the test only checks who is resolved.</summary>
    public class UnusedRegistry : System.Reflection.DispatchProxy
    {
        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
            throw new NotSupportedException(targetMethod?.Name);
    }

    [Fact]
    public void AddTsimRegistry_CalledTwice_RegistersOneManagerAndOneValidatorEach()
    {
        var section = LoadSpecificationSection();
        var services = new ServiceCollection();

        services.AddTsimRegistry(section).Should().BeSameAs(services, "it returns the collection for chaining");
        services.AddTsimRegistry(section);

        services.Count(d => d.ServiceType == typeof(RegistryManager)).Should().Be(1);
        foreach (var role in new[] { typeof(IRegistryManager), typeof(IHostRegistry), typeof(ILeaseRegistry), typeof(IRouterLocks) })
        {
            services.Count(d => d.ServiceType == role).Should().Be(1, $"{role.Name} is registered once");
        }

        services.Where(d => d.ServiceType == typeof(IValidateOptions<RegistryManagerOptions>))
            .Select(d => d.ImplementationType).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void AddTsimRegistry_WithLogging_ManagerLogsThroughContainer()
    {
        var provider = new CapturingLoggerProvider();
        using (var container = Build(s => s.AddLogging(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Trace)).AddTsimRegistry(LoadSpecificationSection())))
        {
            container.GetRequiredService<RegistryManager>();
        }

        provider.Entries.Should().Contain(e => e.EventId.Name == "ManagerCreated" && e.Category == typeof(RegistryManager).FullName);
        provider.Entries.Should().Contain(e => e.EventId.Name == "ManagerDisposed");
    }

    [Fact]
    public void AddTsimRegistry_NullArguments_Throw()
    {
        var services = new ServiceCollection();

        FluentActions.Invoking(() => ((IServiceCollection)null!).AddTsimRegistry(LoadSpecificationSection()))
            .Should().Throw<ArgumentNullException>().WithParameterName("services");
        FluentActions.Invoking(() => services.AddTsimRegistry((IConfiguration)null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("configuration");
        FluentActions.Invoking(() => services.AddTsimRegistry((Action<RegistryManagerOptions>)null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("configure");
    }
}
