using System.Collections;
using Microsoft.Extensions.Options;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Hardening;

/// <summary>
/// The bad-input corpus of issue 5 (deviation 8 in docs/ARCHITECTURE.md): every public method of <see cref="RegistryManager"/>, and
/// the options, fed names, addresses, ids, numbers and dictionaries that break a rule. Each must end in the right
/// <see cref="ArgumentException"/> subclass (or <see cref="OptionsValidationException"/>) naming the argument and the
/// rule, before any lock is taken or file touched: every file of a seeded registry stays byte-identical and no
/// semaphore is created or changed.
/// </summary>
public sealed class BadInputCorpusTests : IDisposable
{
    private const string Mac = "aa:bb:cc:dd:ee:01";
    private const string NotEmpty = "must not be empty";
    private const string StartsWith = "must start with an ASCII letter or digit";
    private const string Alphabet = "may only contain ASCII letters, digits, '.', '_' and '-'";
    private const string IdAlphabet = "may only contain ASCII letters, digits, '.', '_', '-', ':', '@', '+' and '='";
    private const string NotNull = "Value cannot be null";
    private const string IpRule = "must be an IPv4 address of four decimal octets without leading zeros, or an IPv6 address";
    private const string MacRule = "must be six two-digit hex octets separated by ':' or '-'";
    private const string TimeoutRule = "must be between 00:00:00 and";
    private const string OneRouter = "must name at least one router";

    private static readonly string s_tooLong = new('h', NameRules.MaxNameLength + 1);
    private static readonly string s_tooLongRule = $"must be at most {NameRules.MaxNameLength} characters";
    private static readonly string s_idTooLong = new('j', NameRules.MaxIdLength + 1);

    /// <summary>Case name → (exception type, parameter, a fragment of the rule in the message, the call).</summary>
    private static readonly Dictionary<string, BadCall> s_calls = BuildCorpus();

    /// <summary>Case name → (failing property, a fragment of the rule, how to break the options).</summary>
    private static readonly Dictionary<string, BadOptions> s_options = new(StringComparer.Ordinal)
    {
        ["prefix with '/'"] = new("SemaphorePrefix", "must be 1 to 32 characters", o => o.SemaphorePrefix = "a/b"),
        ["prefix empty"] = new("SemaphorePrefix", "must be 1 to 32 characters", o => o.SemaphorePrefix = string.Empty),
        ["prefix with space"] = new("SemaphorePrefix", "must be 1 to 32 characters", o => o.SemaphorePrefix = "ts im"),
        ["prefix too long"] = new("SemaphorePrefix", "must be 1 to 32 characters", o => o.SemaphorePrefix = new string('p', RegistryManagerOptions.MaxSemaphorePrefixLength + 1)),
        ["prefix null"] = new("SemaphorePrefix", "required", o => o.SemaphorePrefix = null!),
        ["registry dir relative"] = new("RegistryDirectory", "must be an absolute path", o => o.RegistryDirectory = "hd-relative-registry"),
        ["registry dir empty"] = new("RegistryDirectory", "must be an absolute path", o => o.RegistryDirectory = string.Empty),
        ["lock dir relative"] = new("LockDirectory", "must be an absolute path", o => o.LockDirectory = "./hd-relative-locks"),
        ["lock dir with NUL"] = new("LockDirectory", "must be an absolute path", o => o.LockDirectory = "/tmp/a\0b"),
        ["host registry timeout negative"] = new("HostRegistrySeconds", "must be between 0 and", o => o.LockTimeouts.HostRegistrySeconds = -1),
        ["router timeout negative"] = new("RouterLockSeconds", "must be between 0 and", o => o.LockTimeouts.RouterLockSeconds = -0.001),
        ["atomic timeout too large"] = new("RouterLockAtomicSeconds", "must be between 0 and", o => o.LockTimeouts.RouterLockAtomicSeconds = RegistryLockTimeouts.MaxSeconds + 1),
        ["retry attempts zero"] = new("RetryAttempts", "must be between 1 and", o => o.RetryAttempts = 0),
        ["retry delay negative"] = new("RetryDelaySeconds", "must be between 0 and", o => o.RetryDelaySeconds = -0.5),
        ["probe interval zero"] = new("LockProbeIntervalSeconds", "must be between 0.001 and", o => o.LockProbeIntervalSeconds = 0),
        ["disabled"] = new("Enabled", "the registry is disabled", o => o.Enabled = false),
        ["txlog without path"] = new("TransactionLogPath", "is required when the transaction log is enabled", o => o.EnableTransactionLog = true),
        ["txlog relative path"] = new("TransactionLogPath", "must be an absolute path", o =>
        {
            o.EnableTransactionLog = true;
            o.TransactionLogPath = "tx.log";
        }),
    };

    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    public static TheoryData<string> Calls => new(s_calls.Keys);

    public static TheoryData<string> Options => new(s_options.Keys);

    [Fact]
    public void Corpus_CoversEveryPublicMethodWithAtLeastFiftyCalls()
    {
        s_calls.Count.Should().BeGreaterThanOrEqualTo(50);
        var covered = s_calls.Keys.Select(k => k.Split(' ')[0]).ToHashSet(StringComparer.Ordinal);
        var methods = typeof(RegistryManager).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.GetParameters().Any(p => p.ParameterType != typeof(bool))) // A bool has no bad value.
            .Select(m => m.Name)
            .ToHashSet(StringComparer.Ordinal);
        covered.Should().BeEquivalentTo(methods, "every public method that takes an argument has bad inputs in the corpus");
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void Call_BadInput_ThrowsTypedErrorNamingArgumentAndRuleAndChangesNothing(string name)
    {
        var bad = s_calls[name];
        var manager = SeedRegistry();
        var files = _context.Snapshot();
        var semaphores = SemaphoreValues();

        var act = () => bad.Call(manager);

        var thrown = act.Should().Throw<ArgumentException>().Which;
        thrown.Should().BeOfType(bad.Exception);
        thrown.ParamName.Should().Be(bad.Parameter);
        thrown.Message.Should().Contain(bad.Rule);
        if (thrown is not ArgumentNullException)
        {
            // Named in the sentence itself, not only in the "(Parameter '…')" suffix the runtime appends.
            thrown.Message[..thrown.Message.IndexOf("(Parameter", StringComparison.Ordinal)].Should().Contain(bad.Parameter);
        }

        _context.Snapshot().Should().Equal(files, "bad input is rejected before any file is touched");
        SemaphoreValues().Should().Equal(semaphores, "bad input is rejected before any lock is created or taken");
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void Constructor_BadOptions_ThrowsOptionsValidationNamingPropertyAndChangesNothing(string name)
    {
        var bad = s_options[name];
        SeedRegistry();
        var files = _context.Snapshot();
        var semaphores = SemaphoreValues();
        var options = _context.CreateOptions(bad.Break);

        var act = () => _context.Track(new RegistryManager(options));

        var thrown = act.Should().Throw<OptionsValidationException>().Which;
        thrown.Message.Should().Contain(bad.Property).And.Contain(bad.Rule);
        _context.Snapshot().Should().Equal(files);
        SemaphoreValues().Should().Equal(semaphores);
        foreach (var relative in new[] { "hd-relative-registry", "hd-relative-locks" })
        {
            Directory.Exists(relative).Should().BeFalse("a relative directory is refused, not created under the working directory");
        }
    }

    private RegistryManager SeedRegistry()
    {
        var manager = _context.CreateManager();
        manager.CheckAndRegisterHost("web-1", "10.0.0.10/24", "r1", Mac, new Dictionary<string, object?> { ["namespace"] = "ns1" }).Should().BeTrue();
        manager.AcquireSourceHostLease("run-1", "web-1", "quick", "r1", 46).Should().Be(1);
        manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.1").Should().Be(1);
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        manager.AcquireRouterLock("r2", "job-1").Should().BeTrue();
        manager.ReleaseRouterLock("r2", "job-1").Should().BeTrue(); // Leaves a notify file behind.
        return manager;
    }

    private SortedDictionary<string, int> SemaphoreValues() =>
        new(_context.SemaphoreFiles().ToDictionary(
            f => Path.GetFileName(f),
            f => RegistryTestContext.SemaphoreValue(Path.GetFileName(f)["sem.".Length..])), StringComparer.Ordinal);

    private static Dictionary<string, BadCall> BuildCorpus()
    {
        var corpus = new Dictionary<string, BadCall>(StringComparer.Ordinal);
        void Add(string method, string what, Type exception, string parameter, string rule, Action<RegistryManager> call) =>
            corpus.Add($"{method} {parameter}: {what}", new BadCall(exception, parameter, rule, call));
        var ae = typeof(ArgumentException);
        var ane = typeof(ArgumentNullException);
        var aoore = typeof(ArgumentOutOfRangeException);

        // Host names: every rule of NameRules.
        const string Register = nameof(RegistryManager.CheckAndRegisterHost);
        Action<RegistryManager> RegisterName(string name) => m => m.CheckAndRegisterHost(name, "10.0.0.20", "r1", "aa:bb:cc:dd:ee:20");
        Add(Register, "empty", ae, "hostName", NotEmpty, RegisterName(string.Empty));
        Add(Register, "'.'", ae, "hostName", StartsWith, RegisterName("."));
        Add(Register, "'..'", ae, "hostName", StartsWith, RegisterName(".."));
        Add(Register, "'/'", ae, "hostName", Alphabet, RegisterName("/"));
        Add(Register, "path traversal", ae, "hostName", Alphabet, RegisterName("../../etc/passwd"));
        Add(Register, "NUL", ae, "hostName", Alphabet, RegisterName("web\0"));
        Add(Register, "':'", ae, "hostName", Alphabet, RegisterName("web:1"));
        Add(Register, "space", ae, "hostName", Alphabet, RegisterName("web 1"));
        Add(Register, "tab", ae, "hostName", Alphabet, RegisterName("web\t1"));
        Add(Register, "newline", ae, "hostName", Alphabet, RegisterName("web\n"));
        Add(Register, "non-ASCII", ae, "hostName", Alphabet, RegisterName("wéb"));
        Add(Register, "over-long", ae, "hostName", s_tooLongRule, RegisterName(s_tooLong));
        Add(Register, "leading '-'", ae, "hostName", StartsWith, RegisterName("-web"));
        Add(Register, "null", ane, "hostName", NotNull, RegisterName(null!));

        // IPs: strict parsing.
        Action<RegistryManager> RegisterIp(string ip) => m => m.CheckAndRegisterHost("web-2", ip, "r1", "aa:bb:cc:dd:ee:21");
        Add(Register, "'10.1' shorthand", ae, "primaryIp", IpRule, RegisterIp("10.1"));
        Add(Register, "leading zero", ae, "primaryIp", IpRule, RegisterIp("010.0.0.1"));
        Add(Register, "octet 256", ae, "primaryIp", IpRule, RegisterIp("10.0.0.256"));
        Add(Register, "five octets", ae, "primaryIp", IpRule, RegisterIp("10.0.0.1.5"));
        Add(Register, "hex octet", ae, "primaryIp", IpRule, RegisterIp("0x0a.0.0.1"));
        Add(Register, "v4 prefix 33", ae, "primaryIp", "prefix length: it must be a decimal number from 0 to 32", RegisterIp("10.0.0.1/33"));
        Add(Register, "v6 prefix 129", ae, "primaryIp", "from 0 to 128", RegisterIp("::1/129"));
        Add(Register, "empty prefix", ae, "primaryIp", "invalid prefix length", RegisterIp("1.2.3.4/"));
        Add(Register, "prefix leading zero", ae, "primaryIp", "invalid prefix length", RegisterIp("1.2.3.4/08"));
        Add(Register, "negative prefix", ae, "primaryIp", "invalid prefix length", RegisterIp("1.2.3.4/-1"));
        Add(Register, "zone id", ae, "primaryIp", IpRule, RegisterIp("fe80::1%eth0"));
        Add(Register, "empty", ae, "primaryIp", IpRule, RegisterIp(string.Empty));
        Add(Register, "surrounding space", ae, "primaryIp", IpRule, RegisterIp(" 10.0.0.1"));
        Add(Register, "null", ane, "primaryIp", NotNull, RegisterIp(null!));

        Add(Register, "'/'", ae, "connectedTo", Alphabet, m => m.CheckAndRegisterHost("web-2", "10.0.0.21", "r/1", "aa:bb:cc:dd:ee:21"));
        Add(Register, "empty", ae, "connectedTo", NotEmpty, m => m.CheckAndRegisterHost("web-2", "10.0.0.21", string.Empty, "aa:bb:cc:dd:ee:21"));

        // MACs.
        Action<RegistryManager> RegisterMac(string mac) => m => m.CheckAndRegisterHost("web-2", "10.0.0.21", "r1", mac);
        Add(Register, "five octets", ae, "macAddress", MacRule, RegisterMac("aa:bb:cc:dd:ee"));
        Add(Register, "seven octets", ae, "macAddress", MacRule, RegisterMac("aa:bb:cc:dd:ee:ff:00"));
        Add(Register, "mixed separators", ae, "macAddress", MacRule, RegisterMac("aa:bb-cc:dd:ee:ff"));
        Add(Register, "non-hex", ae, "macAddress", MacRule, RegisterMac("gg:bb:cc:dd:ee:ff"));
        Add(Register, "dotted", ae, "macAddress", MacRule, RegisterMac("aabb.ccdd.eeff"));
        Add(Register, "null", ane, "macAddress", NotNull, RegisterMac(null!));

        // additionalInfo.
        Action<RegistryManager> RegisterInfo(Dictionary<string, object?> info) => m => m.CheckAndRegisterHost("web-2", "10.0.0.21", "r1", "aa:bb:cc:dd:ee:21", info);
        Add(Register, "reserved key", ae, "additionalInfo", "must not contain the key 'mac_address'", RegisterInfo(new() { ["mac_address"] = "x" }));
        Add(Register, "empty key", ae, "additionalInfo", "must not contain an empty key", RegisterInfo(new() { [string.Empty] = 1 }));
        Add(Register, "unsupported value", ae, "additionalInfo", "has no JSON form", RegisterInfo(new() { ["x"] = new object() }));
        Add(Register, "NaN value", ae, "additionalInfo", "has no JSON form", RegisterInfo(new() { ["x"] = double.NaN }));
        Add(Register, "non-string nested key", ae, "additionalInfo", "has a key that is not a string", RegisterInfo(new() { ["x"] = new Hashtable { [1] = "y" } }));
        Add(Register, "nested too deep", ae, "additionalInfo", $"nests deeper than {RegistryJsonDepth.AdditionalInfo} levels", RegisterInfo(NestedJson.Dictionary(RegistryJsonDepth.AdditionalInfo + 1)));
        Add(Register, "cycle", ae, "additionalInfo", "contains itself (a cycle)", RegisterInfo(SelfContaining()));

        // TryRegisterHost and RegisterHost validate exactly as CheckAndRegisterHost does (it is built on TryRegisterHost).
        Add(nameof(RegistryManager.TryRegisterHost), "'/'", ae, "hostName", Alphabet, m => m.TryRegisterHost("/", "10.0.0.20", "r1", "aa:bb:cc:dd:ee:20"));
        Add(nameof(RegistryManager.TryRegisterHost), "octet 256", ae, "primaryIp", IpRule, m => m.TryRegisterHost("web-2", "10.0.0.256", "r1", "aa:bb:cc:dd:ee:21"));
        Add(nameof(RegistryManager.TryRegisterHost), "null", ane, "macAddress", NotNull, m => m.TryRegisterHost("web-2", "10.0.0.21", "r1", null!));
        Add(nameof(RegistryManager.RegisterHost), "path traversal", ae, "hostName", Alphabet, m => m.RegisterHost("../x", "10.0.0.20", "r1", "aa:bb:cc:dd:ee:20"));
        Add(nameof(RegistryManager.RegisterHost), "'/'", ae, "connectedTo", Alphabet, m => m.RegisterHost("web-2", "10.0.0.21", "r/1", "aa:bb:cc:dd:ee:21"));
        Add(nameof(RegistryManager.RegisterHost), "reserved key", ae, "additionalInfo", "must not contain the key 'mac_address'", m => m.RegisterHost("web-2", "10.0.0.21", "r1", "aa:bb:cc:dd:ee:21", new Dictionary<string, object?> { ["mac_address"] = "x" }));

        Add(nameof(RegistryManager.UnregisterHost), "'..'", ae, "hostName", StartsWith, m => m.UnregisterHost(".."));
        Add(nameof(RegistryManager.UnregisterHost), "null", ane, "hostName", NotNull, m => m.UnregisterHost(null!));
        Add(nameof(RegistryManager.GetHostInfo), "newline", ae, "hostName", Alphabet, m => m.GetHostInfo("a\nb"));
        Add(nameof(RegistryManager.GetHostInfo), "over-long", ae, "hostName", s_tooLongRule, m => m.GetHostInfo(s_tooLong));
        Add(nameof(RegistryManager.ListHostLeases), "'/'", ae, "hostName", Alphabet, m => m.ListHostLeases("/"));
        Add(nameof(RegistryManager.GetHostLeaseCount), "':'", ae, "hostName", Alphabet, m => m.GetHostLeaseCount(":"));

        // Host leases.
        const string Lease = nameof(RegistryManager.AcquireSourceHostLease);
        Add(Lease, "empty", ae, "runId", NotEmpty, m => m.AcquireSourceHostLease(string.Empty, "web-1", "quick", "r1"));
        Add(Lease, "space", ae, "runId", IdAlphabet, m => m.AcquireSourceHostLease("run 1", "web-1", "quick", "r1"));
        Add(Lease, "over-long", ae, "runId", $"must be at most {NameRules.MaxIdLength} characters", m => m.AcquireSourceHostLease(s_idTooLong, "web-1", "quick", "r1"));
        Add(Lease, "null", ane, "runId", NotNull, m => m.AcquireSourceHostLease(null!, "web-1", "quick", "r1"));
        Add(Lease, "traversal", ae, "hostName", Alphabet, m => m.AcquireSourceHostLease("run-2", "web-1/../x", "quick", "r1"));
        Add(Lease, "NUL", ae, "jobType", IdAlphabet, m => m.AcquireSourceHostLease("run-2", "web-1", "quick\0", "r1"));
        Add(Lease, "leading '-'", ae, "routerName", StartsWith, m => m.AcquireSourceHostLease("run-2", "web-1", "quick", "-r1"));
        Add(Lease, "-1", aoore, "dscp", "must be a non-negative value", m => m.AcquireSourceHostLease("run-2", "web-1", "quick", "r1", -1));
        Add(Lease, "64", aoore, "dscp", "must be less than or equal to '63'", m => m.AcquireSourceHostLease("run-2", "web-1", "quick", "r1", 64));
        Add(nameof(RegistryManager.ReleaseSourceHostLease), "'/'", ae, "runId", IdAlphabet, m => m.ReleaseSourceHostLease("run/1", "web-1"));
        Add(nameof(RegistryManager.ReleaseSourceHostLease), "'.'", ae, "hostName", StartsWith, m => m.ReleaseSourceHostLease("run-1", "."));

        // Neighbour leases.
        Add(nameof(RegistryManager.AcquireNeighborLease), "three octets", ae, "neighborIp", IpRule, m => m.AcquireNeighborLease("run-1", "web-1", "1.2.3"));
        Add(nameof(RegistryManager.AcquireNeighborLease), "':' (ambiguous key)", ae, "hostName", Alphabet, m => m.AcquireNeighborLease("run-1", "web:1", "10.0.0.1"));
        Add(nameof(RegistryManager.AcquireNeighborLease), "'/'", ae, "runId", IdAlphabet, m => m.AcquireNeighborLease("run/1", "web-1", "10.0.0.1"));
        Add(nameof(RegistryManager.ReleaseNeighborLease), "zone id", ae, "neighborIp", IpRule, m => m.ReleaseNeighborLease("run-1", "web-1", "fe80::1%eth0"));
        Add(nameof(RegistryManager.ReleaseNeighborLease), "leading zero", ae, "neighborIp", IpRule, m => m.ReleaseNeighborLease("run-1", "web-1", "10.0.0.01"));

        // Routers.
        const string Lock = nameof(RegistryManager.AcquireRouterLock);
        Add(Lock, "traversal", ae, "routerName", Alphabet, m => m.AcquireRouterLock("../../etc/passwd", "job-2"));
        Add(Lock, "over-long", ae, "routerName", s_tooLongRule, m => m.AcquireRouterLock(s_tooLong, "job-2"));
        Add(Lock, "space", ae, "jobId", IdAlphabet, m => m.AcquireRouterLock("r3", "job 2"));
        Add(Lock, "null", ane, "jobId", NotNull, m => m.AcquireRouterLock("r3", null!));
        Add(Lock, "negative", aoore, "timeout", TimeoutRule, m => m.AcquireRouterLock("r3", "job-2", TimeSpan.FromSeconds(-1)));
        Add(Lock, "30 days", aoore, "timeout", TimeoutRule, m => m.AcquireRouterLock("r3", "job-2", TimeSpan.FromDays(30)));
        Add(nameof(RegistryManager.ReleaseRouterLock), "'/'", ae, "routerName", Alphabet, m => m.ReleaseRouterLock("r/1", "job-1"));
        Add(nameof(RegistryManager.ReleaseRouterLock), "empty", ae, "jobId", NotEmpty, m => m.ReleaseRouterLock("r1", string.Empty));
        Add(nameof(RegistryManager.IsRouterLocked), "non-ASCII", ae, "routerName", Alphabet, m => m.IsRouterLocked("rö"));
        Add(nameof(RegistryManager.GetRouterLockOwner), "'..'", ae, "routerName", StartsWith, m => m.GetRouterLockOwner(".."));
        const string LockAll = nameof(RegistryManager.AcquireAllRouterLocksAtomic);
        Add(LockAll, "space in one", ae, "routerNames", Alphabet, m => m.AcquireAllRouterLocksAtomic(["r3", "r 4"], "job-2"));
        Add(LockAll, "empty list", ae, "routerNames", OneRouter, m => m.AcquireAllRouterLocksAtomic([], "job-2"));
        Add(LockAll, "null list", ane, "routerNames", NotNull, m => m.AcquireAllRouterLocksAtomic(null!, "job-2"));
        Add(LockAll, "null element", ane, "routerNames", NotNull, m => m.AcquireAllRouterLocksAtomic(["r3", null!], "job-2"));
        Add(LockAll, "negative", aoore, "timeout", TimeoutRule, m => m.AcquireAllRouterLocksAtomic(["r3"], "job-2", TimeSpan.FromMilliseconds(-2)));
        Add(nameof(RegistryManager.ReleaseAllRouterLocks), "'/'", ae, "routerNames", Alphabet, m => m.ReleaseAllRouterLocks(["r1", "/r2"], "job-1"));
        Add(nameof(RegistryManager.ReleaseAllRouterLocks), "null list", ane, "routerNames", NotNull, m => m.ReleaseAllRouterLocks(null!, "job-1"));
        Add(nameof(RegistryManager.RouterLock), "negative", aoore, "timeout", TimeoutRule, m => m.RouterLock("r3", "job-2", TimeSpan.FromMilliseconds(-5)));
        Add(nameof(RegistryManager.RouterLock), "empty", ae, "routerName", NotEmpty, m => m.RouterLock(string.Empty, "job-2"));
        Add(nameof(RegistryManager.AllRouterLocks), "empty list", ae, "routerNames", OneRouter, m => m.AllRouterLocks([], "job-2"));
        Add(nameof(RegistryManager.AllRouterLocks), "space", ae, "jobId", IdAlphabet, m => m.AllRouterLocks(["r3"], "a b"));
        Add(nameof(RegistryManager.WaitForRouter), "negative", aoore, "timeout", TimeoutRule, m => m.WaitForRouter("r1", TimeSpan.FromMilliseconds(-5)));
        Add(nameof(RegistryManager.WaitForRouter), "NUL", ae, "routerName", Alphabet, m => m.WaitForRouter("\0"));
        Add(nameof(RegistryManager.WaitForAllRouters), "empty list", ae, "routerNames", OneRouter, m => m.WaitForAllRouters([]));
        Add(nameof(RegistryManager.WaitForAllRouters), "TimeSpan.MaxValue", aoore, "timeout", TimeoutRule, m => m.WaitForAllRouters(["r1"], TimeSpan.MaxValue));
        Add(nameof(RegistryManager.ForceReleaseRouterLock), "'..'", ae, "routerName", StartsWith, m => m.ForceReleaseRouterLock(".."));
        Add(nameof(RegistryManager.ForceReleaseRouterLock), "':'", ae, "routerName", Alphabet, m => m.ForceReleaseRouterLock("r1:x"));
        Add(nameof(RegistryManager.ForceReleaseLock), "not a lock of this registry", ae, "lockName", "must be a lock of this registry", m => m.ForceReleaseLock("other-hosts-registry"));
        Add(nameof(RegistryManager.ForceReleaseLock), "router with '/'", ae, "lockName", Alphabet, m => m.ForceReleaseLock(m.SemaphorePrefix + "-router-a/b"));

        // The asynchronous twins validate the same way, before anything is awaited or touched.
        Add(nameof(RegistryManager.AcquireRouterLockAsync), "'/'", ae, "routerName", Alphabet, m => Sync(m.AcquireRouterLockAsync("r/1", "job-2")));
        Add(nameof(RegistryManager.AcquireRouterLockAsync), "negative", aoore, "timeout", TimeoutRule, m => Sync(m.AcquireRouterLockAsync("r3", "job-2", TimeSpan.FromSeconds(-1))));
        Add(nameof(RegistryManager.AcquireAllRouterLocksAtomicAsync), "empty list", ae, "routerNames", OneRouter, m => Sync(m.AcquireAllRouterLocksAtomicAsync([], "job-2")));
        Add(nameof(RegistryManager.RouterLockAsync), "space", ae, "jobId", IdAlphabet, m => Sync(m.RouterLockAsync("r3", "a b")));
        Add(nameof(RegistryManager.AllRouterLocksAsync), "null element", ane, "routerNames", NotNull, m => Sync(m.AllRouterLocksAsync(["r3", null!], "job-2")));
        Add(nameof(RegistryManager.WaitForRouterAsync), "NUL", ae, "routerName", Alphabet, m => Sync(m.WaitForRouterAsync("\0")));
        Add(nameof(RegistryManager.WaitForAllRoutersAsync), "negative", aoore, "timeout", TimeoutRule, m => Sync(m.WaitForAllRoutersAsync(["r1"], TimeSpan.FromMilliseconds(-5))));
        return corpus;
    }

    /// <summary>Runs an asynchronous call to completion, so that a validation error surfaces as the call's exception.</summary>
    private static void Sync<T>(ValueTask<T> call) => call.AsTask().GetAwaiter().GetResult();

    /// <summary><c>{"x": {"self": …}}</c>, the inner dictionary containing itself.</summary>
    private static Dictionary<string, object?> SelfContaining()
    {
        var inner = new Dictionary<string, object?>();
        inner["self"] = inner;
        return new Dictionary<string, object?> { ["x"] = inner };
    }

    private sealed record BadCall(Type Exception, string Parameter, string Rule, Action<RegistryManager> Call);

    private sealed record BadOptions(string Property, string Rule, Action<RegistryManagerOptions> Break);
}
