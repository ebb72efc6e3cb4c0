using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

public sealed class RegistryManagerOptionsTests : IDisposable
{
    /// <summary>EXAMPLE_CONFIG_JSON of python-reference/registry_manager.py, verbatim but for distinct values.</summary>
    private const string SpecificationConfig = """
        {
            "registry_manager": {
                "enabled": true,
                "registry_dir": "/dev/shm/tsim",
                "lock_dir": "/dev/shm/tsim/locks",
                "lock_timeouts": {
                    "host_registry": 5.0,
                    "host_leases": 3.0,
                    "router_lock": 30.0,
                    "router_lock_atomic": 60.0,
                    "neighbor_leases": 3.0
                },
                "retry_attempts": 3,
                "retry_delay": 0.1,
                "enable_transaction_log": true,
                "transaction_log_path": "/var/log/tsim/registry_transactions.log"
            }
        }
        """;

    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    private static RegistryManagerOptions Bind(string json)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var options = new RegistryManagerOptions();
        configuration.GetSection("registry_manager").Bind(options);
        return options;
    }

    [Fact]
    public void Bind_SpecificationConfig_SetsEveryKey()
    {
        var options = Bind(SpecificationConfig);

        options.Enabled.Should().BeTrue();
        options.RegistryDirectory.Should().Be("/dev/shm/tsim");
        options.LockDirectory.Should().Be("/dev/shm/tsim/locks");
        options.LockTimeouts.HostRegistrySeconds.Should().Be(5.0);
        options.LockTimeouts.HostLeasesSeconds.Should().Be(3.0);
        options.LockTimeouts.RouterLockSeconds.Should().Be(30.0);
        options.LockTimeouts.RouterLockAtomicSeconds.Should().Be(60.0);
        options.LockTimeouts.NeighborLeasesSeconds.Should().Be(3.0);
        options.RetryAttempts.Should().Be(3);
        options.RetryDelaySeconds.Should().Be(0.1);
        options.EnableTransactionLog.Should().BeTrue();
        options.TransactionLogPath.Should().Be("/var/log/tsim/registry_transactions.log");
    }

    [Fact]
    public void Bind_NonDefaultValues_LandInTheRightProperties()
    {
        var options = Bind("""
            {"registry_manager": {"enabled": false, "registry_dir": "/r", "lock_dir": "/l",
              "lock_timeouts": {"host_registry": 1.5, "host_leases": 2.5, "router_lock": 3.5, "router_lock_atomic": 4.5, "neighbor_leases": 5.5},
              "retry_attempts": 7, "retry_delay": 0.25, "enable_transaction_log": true, "transaction_log_path": "/t.log",
              "semaphore_prefix": "abc"}}
            """);

        options.Should().BeEquivalentTo(new RegistryManagerOptions
        {
            Enabled = false,
            RegistryDirectory = "/r",
            LockDirectory = "/l",
            LockTimeouts = new RegistryLockTimeouts
            {
                HostRegistrySeconds = 1.5,
                HostLeasesSeconds = 2.5,
                RouterLockSeconds = 3.5,
                RouterLockAtomicSeconds = 4.5,
                NeighborLeasesSeconds = 5.5,
            },
            RetryAttempts = 7,
            RetryDelaySeconds = 0.25,
            EnableTransactionLog = true,
            TransactionLogPath = "/t.log",
            SemaphorePrefix = "abc",
        });
    }

    [Fact]
    public void Defaults_AreTheDocumentedValues()
    {
        var options = new RegistryManagerOptions();

        options.Enabled.Should().BeTrue();
        options.RegistryDirectory.Should().Be("/dev/shm/tsim").And.Be(RegistryManagerOptions.DefaultRegistryDirectory);
        options.LockDirectory.Should().BeNull();
        options.EffectiveLockDirectory.Should().Be("/dev/shm/tsim/locks");
        options.LockTimeouts.HostRegistrySeconds.Should().Be(5.0);
        options.LockTimeouts.HostLeasesSeconds.Should().Be(3.0);
        options.LockTimeouts.RouterLockSeconds.Should().Be(30.0);
        options.LockTimeouts.RouterLockAtomicSeconds.Should().Be(60.0);
        options.LockTimeouts.NeighborLeasesSeconds.Should().Be(3.0);
        options.RetryAttempts.Should().Be(3);
        options.RetryDelaySeconds.Should().Be(0.1);
        options.EnableTransactionLog.Should().BeFalse();
        options.TransactionLogPath.Should().BeNull();
        options.SemaphorePrefix.Should().Be("tsim").And.Be(RegistryManagerOptions.DefaultSemaphorePrefix);
        RegistryManagerOptions.MaxSemaphorePrefixLength.Should().Be(32);
        RegistryManagerOptions.MaxRetryAttempts.Should().Be(100);
        RegistryLockTimeouts.MaxSeconds.Should().Be(int.MaxValue / 1000.0);
    }

    [Fact]
    public void EffectiveLockDirectory_OnlyRegistryDirSet_IsLocksBelowIt()
    {
        var options = new RegistryManagerOptions { RegistryDirectory = "/srv/reg" };

        options.EffectiveLockDirectory.Should().Be("/srv/reg/locks");
    }

    public static TheoryData<string, Action<RegistryManagerOptions>> InvalidOptions => new()
    {
        { "HostRegistrySeconds", o => o.LockTimeouts.HostRegistrySeconds = -1 },
        { "HostLeasesSeconds", o => o.LockTimeouts.HostLeasesSeconds = -0.5 },
        { "RouterLockSeconds", o => o.LockTimeouts.RouterLockSeconds = -1 },
        { "RouterLockAtomicSeconds", o => o.LockTimeouts.RouterLockAtomicSeconds = RegistryLockTimeouts.MaxSeconds + 1 },
        { "NeighborLeasesSeconds", o => o.LockTimeouts.NeighborLeasesSeconds = -3 },
        { "RetryAttempts", o => o.RetryAttempts = 0 },
        { "RetryAttempts", o => o.RetryAttempts = RegistryManagerOptions.MaxRetryAttempts + 1 },
        { "RetryDelaySeconds", o => o.RetryDelaySeconds = -0.1 },
        { "RegistryDirectory", o => o.RegistryDirectory = "relative/registry" },
        { "RegistryDirectory", o => o.RegistryDirectory = string.Empty },
        { "LockDirectory", o => o.LockDirectory = "locks" },
        { "TransactionLogPath", o => o.EnableTransactionLog = true },
        { "TransactionLogPath", o => { o.EnableTransactionLog = true; o.TransactionLogPath = "tx.log"; } },
        { "Enabled", o => o.Enabled = false },
        { "SemaphorePrefix", o => o.SemaphorePrefix = "bad/prefix" },
        { "SemaphorePrefix", o => o.SemaphorePrefix = string.Empty },
        { "SemaphorePrefix", o => o.SemaphorePrefix = new string('p', RegistryManagerOptions.MaxSemaphorePrefixLength + 1) },
        { "SemaphorePrefix", o => o.SemaphorePrefix = ".hidden" },
        { "SemaphorePrefix", o => o.SemaphorePrefix = "router_x" },
        { "SemaphorePrefix", o => o.SemaphorePrefix = "tsim-router-b" },
        { "SemaphorePrefix", o => o.SemaphorePrefix = "tsim-router" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Constructor_InvalidOption_ThrowsOptionsValidationNamingProperty(string property, Action<RegistryManagerOptions> breakIt)
    {
        var options = _context.CreateOptions(breakIt);

        var act = () => new RegistryManager(options);

        act.Should().Throw<OptionsValidationException>().WithMessage($"*{property}*");
        Directory.Exists(_context.RegistryDirectory).Should().BeFalse("nothing is created from invalid options");
    }

    [Fact]
    public void Constructor_PrefixContinuingAnotherWithRouter_IsRefusedNamingTheSharedLock()
    {
        // Before the rule: while prefix Q held router b-hosts-registry, a registration under prefix Q-router-b timed
        // out, since Q-router-b-hosts-registry is one semaphore for both.
        using var holder = _context.CreateManager();
        holder.AcquireRouterLock("b-hosts-registry", "job-1", TimeSpan.Zero).Should().BeTrue();

        var act = () => new RegistryManager(_context.CreateOptions(o => o.SemaphorePrefix = _context.Prefix + "-router-b"));

        act.Should().Throw<OptionsValidationException>().WithMessage(
            $"*SemaphorePrefix*must not contain '-router' followed by '-' or the end of the prefix*its lock {_context.Prefix}-router-b-hosts-registry "
            + $"would be the lock of router 'b-hosts-registry' under prefix '{_context.Prefix}'*");
        holder.ReleaseRouterLock("b-hosts-registry", "job-1").Should().BeTrue();
    }

    [Fact]
    public void Constructor_SeveralInvalidOptions_ListsEveryFailure()
    {
        var options = _context.CreateOptions(o =>
        {
            o.Enabled = false;
            o.RetryAttempts = 0;
            o.SemaphorePrefix = "a b";
        });

        var act = () => new RegistryManager(options);

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().HaveCount(3);
    }

    [Fact]
    public void Constructor_NullOptions_ThrowsArgumentNull()
    {
        var act = () => new RegistryManager((RegistryManagerOptions)null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void Constructor_IOptions_UsesTheirValue()
    {
        using var manager = new RegistryManager(Options.Create(_context.CreateOptions()));

        manager.RegistryDirectory.Should().Be(_context.RegistryDirectory);
        manager.SemaphorePrefix.Should().Be(_context.Prefix);
    }

    [Fact]
    public void Constructor_OnlyRegistryDir_CreatesLockDirBelowItWithMode0700()
    {
        var manager = _context.CreateManager();

        manager.LockDirectory.Should().Be(Path.Combine(_context.RegistryDirectory, "locks"));
        Directory.Exists(manager.LockDirectory).Should().BeTrue();
        const UnixFileMode userOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        File.GetUnixFileMode(_context.RegistryDirectory).Should().Be(userOnly);
        File.GetUnixFileMode(manager.LockDirectory).Should().Be(userOnly);
    }

    [Fact]
    public void Constructor_CustomLockDir_OwnerRecordsGoThere()
    {
        var lockDir = Path.Combine(_context.RegistryDirectory, "elsewhere");
        var manager = _context.CreateManager(o => o.LockDirectory = lockDir);

        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();

        manager.LockDirectory.Should().Be(lockDir);
        File.Exists(Path.Combine(lockDir, _context.RouterLockName("r1"))).Should().BeTrue();
        Directory.Exists(_context.LockDirectory).Should().BeFalse();
    }

    [Fact]
    public void ConfiguredTimeouts_AreTheDefaultsOfCalls()
    {
        var holder = _context.CreateManager();
        var waiter = _context.CreateManager(o => o.LockTimeouts.RouterLockSeconds = 0);
        holder.AcquireRouterLock("r1", "holder");

        var act = () => waiter.RouterLock("r1", "job-1");

        act.Should().Throw<RegistryLockTimeoutException>().Which.Timeout.Should().Be(TimeSpan.Zero);
    }
}
