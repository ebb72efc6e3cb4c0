using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Storage;

public sealed class AuditLogTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 26, 14, 43, 11, 250, TimeSpan.Zero);

    private readonly RegistryTestContext _context = new();
    private readonly string _logPath;

    public AuditLogTests()
    {
        _context.EnsureDirectories();
        _logPath = Path.Combine(_context.RegistryDirectory, "transactions.log");
    }

    public void Dispose() => _context.Dispose();

    private RegistryManager CreateLoggingManager() =>
        _context.CreateManager(o => { o.EnableTransactionLog = true; o.TransactionLogPath = _logPath; }, new FakeTimeProvider(s_now));

    private JsonObject[] ReadEntries() =>
        [.. File.ReadAllLines(_logPath).Select(line => JsonNode.Parse(line)!.AsObject())];

    [Fact]
    public void Append_WritesOneJsonLineWithTimestampOperationAndDetails()
    {
        using (var log = AuditLog.Open(_logPath, NullLogger.Instance, new FakeTimeProvider(s_now)))
        {
            log.Append("register_host", w => w.WriteString("host_name", "web-1"));
            log.Append("unregister_host", w => w.WriteString("host_name", "web-1"));
        }

        var lines = File.ReadAllLines(_logPath);
        lines.Should().HaveCount(2);
        var entry = JsonNode.Parse(lines[0])!.AsObject();
        entry.Select(p => p.Key).Should().Equal("timestamp", "operation", "details");
        entry["timestamp"]!.GetValueKind().Should().Be(System.Text.Json.JsonValueKind.Number);
        entry["timestamp"]!.GetValue<double>().Should().Be(s_now.ToUnixTimeMilliseconds() / 1000.0);
        entry["operation"]!.GetValue<string>().Should().Be("register_host");
        entry["details"]!["host_name"]!.GetValue<string>().Should().Be("web-1");
        File.GetUnixFileMode(_logPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void Open_ExistingLog_Appends()
    {
        File.WriteAllText(_logPath, "{\"timestamp\":1,\"operation\":\"python\",\"details\":{}}\n");

        using (var log = AuditLog.Open(_logPath, NullLogger.Instance, TimeProvider.System))
        {
            log.Append("register_host", _ => { });
        }

        File.ReadAllLines(_logPath).Should().HaveCount(2).And.StartWith("{\"timestamp\":1,\"operation\":\"python\",\"details\":{}}");
    }

    [Fact]
    public void Manager_EveryOperation_LogsSpecificationNamesAndDetails()
    {
        var manager = CreateLoggingManager();

        manager.CheckAndRegisterHost("web-1", "10.0.0.10/24", "router-1", "AA-BB-CC-DD-EE-01");
        manager.AcquireSourceHostLease("run-1", "web-1", "quick", "router-1", 46);
        manager.ReleaseSourceHostLease("run-1", "web-1");
        manager.AcquireRouterLock("router-1", "job-1");
        manager.ReleaseRouterLock("router-1", "job-1");
        manager.AcquireAllRouterLocksAtomic(["router-2", "router-1"], "job-2");
        manager.ReleaseAllRouterLocks(["router-1", "router-2"], "job-2");
        manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.1");
        manager.ReleaseNeighborLease("run-1", "web-1", "10.0.0.1");
        manager.UnregisterHost("web-1");

        var entries = ReadEntries();
        entries.Select(e => e["operation"]!.GetValue<string>()).Should().Equal(
            "register_host", "acquire_host_lease", "release_host_lease", "acquire_router_lock", "release_router_lock",
            "acquire_all_router_locks", "release_router_lock", "release_router_lock", "acquire_neighbor_lease",
            "release_neighbor_lease", "unregister_host");
        entries.Should().AllSatisfy(e => e["timestamp"]!.GetValue<double>().Should().Be(s_now.ToUnixTimeMilliseconds() / 1000.0));
        Details(entries[0]).Should().Be("""{"host_name":"web-1","ip":"10.0.0.10/24","router":"router-1"}""");
        Details(entries[1]).Should().Be("""{"run_id":"run-1","host_name":"web-1","ref_count":1}""");
        Details(entries[2]).Should().Be("""{"run_id":"run-1","host_name":"web-1","ref_count":0,"should_delete":true}""");
        Details(entries[3]).Should().Be("""{"router":"router-1","job_id":"job-1"}""");
        Details(entries[4]).Should().Be("""{"router":"router-1","job_id":"job-1"}""");
        Details(entries[5]).Should().Be("""{"routers":["router-1","router-2"],"job_id":"job-2","count":2}""");
        Details(entries[8]).Should().Be("""{"run_id":"run-1","host_name":"web-1","neighbor_ip":"10.0.0.1","ref_count":1}""");
        Details(entries[9]).Should().Be("""{"run_id":"run-1","host_name":"web-1","neighbor_ip":"10.0.0.1","ref_count":0,"should_delete":true}""");
        Details(entries[10]).Should().Be("""{"host_name":"web-1"}""");
    }

    [Fact]
    public void Manager_FailedOperations_AreNotLogged()
    {
        var manager = CreateLoggingManager();
        var other = _context.CreateManager();
        manager.CheckAndRegisterHost("web-1", "10.0.0.10", "router-1", "aa:bb:cc:dd:ee:01");
        other.AcquireRouterLock("router-1", "holder");

        manager.CheckAndRegisterHost("web-1", "10.0.0.11", "router-1", "aa:bb:cc:dd:ee:02").Should().BeFalse();
        manager.UnregisterHost("nobody").Should().BeFalse();
        manager.AcquireRouterLock("router-1", "job-1", TimeSpan.Zero).Should().BeFalse();
        manager.ReleaseRouterLock("router-1", "job-1").Should().BeFalse();

        ReadEntries().Select(e => e["operation"]!.GetValue<string>()).Should().Equal("register_host");
    }

    [Fact]
    public void Manager_LogDisabled_WritesNoLog()
    {
        var manager = _context.CreateManager(o => o.TransactionLogPath = _logPath);

        manager.CheckAndRegisterHost("web-1", "10.0.0.10", "router-1", "aa:bb:cc:dd:ee:01");

        File.Exists(_logPath).Should().BeFalse();
    }

    [Fact]
    public void Manager_LogInMissingDirectory_FailsConstructionNamingPath()
    {
        var path = Path.Combine(_context.RegistryDirectory, "no-such-dir", "tx.log");

        var act = () => _context.CreateManager(o => { o.EnableTransactionLog = true; o.TransactionLogPath = path; });

        act.Should().Throw<RegistryException>().WithMessage($"The transaction log '{path}' cannot be opened for appending*");
    }

    [Fact]
    public void Manager_LogPathIsDirectory_FailsConstructionNamingPath()
    {
        var path = Path.Combine(_context.RegistryDirectory, "a-directory");
        Directory.CreateDirectory(path);

        var act = () => _context.CreateManager(o => { o.EnableTransactionLog = true; o.TransactionLogPath = path; });

        act.Should().Throw<RegistryException>().WithMessage($"The transaction log '{path}' cannot be opened for appending*");
    }

    private static string Details(JsonObject entry) => entry["details"]!.ToJsonString();
}
