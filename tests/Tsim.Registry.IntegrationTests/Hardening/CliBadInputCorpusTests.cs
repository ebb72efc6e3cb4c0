using Tsim.Registry.IntegrationTests.Cli;

namespace Tsim.Registry.IntegrationTests.Hardening;

/// <summary>
/// The CLI half of the bad-input corpus (issue 5): every subcommand, run as a real process on a seeded registry, fed
/// arguments that break a rule. Each exits 2 with <c>ERROR &lt;ArgumentException type&gt;: …</c> on stderr naming the
/// argument and the rule, and leaves every registry file, lock file and semaphore byte-identical.
/// </summary>
public sealed class CliBadInputCorpusTests : IDisposable
{
    private const string Ae = "ArgumentException";
    private const string Aoore = "ArgumentOutOfRangeException";
    private const string Alphabet = "may only contain ASCII letters, digits";
    private const string StartsWith = "must start with an ASCII letter or digit";
    private const string IpRule = "must be an IPv4 address of four decimal octets without leading zeros";
    private const string MacRule = "must be six two-digit hex octets separated by ':' or '-'";
    private const string TimeoutRule = "must be between 00:00:00 and";
    private const string Mac = "aa:bb:cc:dd:ee:20";

    private static readonly Dictionary<string, BadRun> s_runs = BuildCorpus();

    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    public static TheoryData<string> Runs => new(s_runs.Keys);

    [Fact]
    public void Corpus_CoversEverySubcommand()
    {
        string[] subcommands =
        [
            "register", "unregister", "hosts", "host-info", "lock", "trylock", "lock-all", "release", "is-locked", "owner",
            "wait-router", "lease-acquire", "lease-release", "lease-count", "leases", "neighbor-acquire", "neighbor-release",
            "sem-value", "repair",
        ];
        s_runs.Keys.Select(k => k.Split(' ')[0]).Distinct().Should().BeEquivalentTo(subcommands);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task Subcommand_BadInput_Exits2NamingArgumentAndRuleAndChangesNothing(string name)
    {
        var bad = s_runs[name];
        Seed();
        var before = Snapshot();

        var result = bad.RawGlobals
            ? await CliSandbox.RunRawAsync(["--registry-dir", _sandbox.RegistryDirectory, .. bad.Args])
            : await _sandbox.RunAsync(bad.Args);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith($"ERROR {bad.Exception}: ", result.ToString())
            .And.Contain(bad.Argument).And.Contain(bad.Rule);
        result.Lines.Should().BeEmpty("nothing is reported as done");
        Snapshot().Should().Equal(before, "bad input is rejected before any file or semaphore is touched");
    }

    private void Seed()
    {
        using var manager = new RegistryManager(new RegistryManagerOptions { RegistryDirectory = _sandbox.RegistryDirectory, SemaphorePrefix = _sandbox.Prefix });
        manager.CheckAndRegisterHost("web-1", "10.0.0.10/24", "r1", "aa:bb:cc:dd:ee:10").Should().BeTrue();
        manager.AcquireSourceHostLease("run-1", "web-1", "quick", "r1", 46);
        manager.AcquireNeighborLease("run-1", "web-1", "10.0.0.1");
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
    }

    /// <summary>Every file of the registry (recursively) and every semaphore of the prefix (its value is in its bytes).</summary>
    private SortedDictionary<string, string> Snapshot()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(_sandbox.RegistryDirectory, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles("/dev/shm", $"sem.{_sandbox.Prefix}-*")))
        {
            result[path] = Directory.Exists(path) ? "<dir>" : Convert.ToBase64String(File.ReadAllBytes(path));
        }

        return result;
    }

    private static Dictionary<string, BadRun> BuildCorpus()
    {
        var corpus = new Dictionary<string, BadRun>(StringComparer.Ordinal);
        void Add(string what, string exception, string argument, string rule, params string[] args) =>
            corpus.Add($"{args.First(a => !a.StartsWith('-'))} {argument}: {what}", new BadRun(args, exception, argument, rule, RawGlobals: false));
        void AddGlobal(string what, string command, string argument, string rule, params string[] globals) =>
            corpus.Add($"{command} {argument}: {what}", new BadRun([.. globals, command], "OptionsValidationException", argument, rule, RawGlobals: true));

        Add("'..'", Ae, "hostName", StartsWith, "register", "..", "10.0.0.20", "r1", Mac);
        Add("':'", Ae, "hostName", Alphabet, "register", "web:2", "10.0.0.20", "r1", Mac);
        Add("space", Ae, "hostName", Alphabet, "register", "web 2", "10.0.0.20", "r1", Mac);
        Add("leading '-'", Ae, "hostName", StartsWith, "register", "--", "-web", "10.0.0.20", "r1", Mac);
        Add("over-long", Ae, "hostName", "must be at most 205 characters, the room NAME_MAX leaves", "register", new string('h', 300), "10.0.0.20", "r1", Mac);
        Add("'10.1'", Ae, "primaryIp", IpRule, "register", "web-2", "10.1", "r1", Mac);
        Add("leading zero", Ae, "primaryIp", IpRule, "register", "web-2", "010.0.0.1", "r1", Mac);
        Add("octet 256", Ae, "primaryIp", IpRule, "register", "web-2", "10.0.0.256", "r1", Mac);
        Add("prefix 33", Ae, "primaryIp", "from 0 to 32", "register", "web-2", "10.0.0.1/33", "r1", Mac);
        Add("prefix 129", Ae, "primaryIp", "from 0 to 128", "register", "web-2", "::1/129", "r1", Mac);
        Add("empty prefix", Ae, "primaryIp", "invalid prefix length", "register", "web-2", "1.2.3.4/", "r1", Mac);
        Add("prefix '08'", Ae, "primaryIp", "invalid prefix length", "register", "web-2", "1.2.3.4/08", "r1", Mac);
        Add("zone id", Ae, "primaryIp", IpRule, "register", "web-2", "fe80::1%eth0", "r1", Mac);
        Add("'/'", Ae, "connectedTo", Alphabet, "register", "web-2", "10.0.0.20", "r/1", Mac);
        Add("five octets", Ae, "macAddress", MacRule, "register", "web-2", "10.0.0.20", "r1", "aa:bb:cc:dd:ee");
        Add("mixed separators", Ae, "macAddress", MacRule, "register", "web-2", "10.0.0.20", "r1", "aa:bb-cc:dd:ee:ff");
        Add("non-hex", Ae, "macAddress", MacRule, "register", "web-2", "10.0.0.20", "r1", "zz:bb:cc:dd:ee:ff");
        Add("reserved key", Ae, "additionalInfo", "must not contain the key 'primary_ip'", "register", "web-2", "10.0.0.20", "r1", Mac, "--info", "{\"primary_ip\": \"x\"}");
        Add("not an object", Ae, "info", "--info must be a JSON object", "register", "web-2", "10.0.0.20", "r1", Mac, "--info", "[1]");
        Add("'..'", Ae, "hostName", StartsWith, "unregister", "..");
        Add("'/'", Ae, "hostName", Alphabet, "host-info", "/");
        Add("':'", Ae, "hostName", Alphabet, "leases", "a:b");
        Add("space", Ae, "hostName", Alphabet, "lease-count", "web 1");
        Add("'/'", Ae, "runId", "may only contain", "lease-acquire", "run/2", "web-1", "r1");
        Add("leading '-'", Ae, "routerName", StartsWith, "lease-acquire", "--", "run-2", "web-1", "-r1");
        Add("space", Ae, "jobType", "may only contain", "lease-acquire", "run-2", "web-1", "r1", "--job-type", "quick job");
        Add("-1", Aoore, "dscp", "must be a non-negative value", "lease-acquire", "run-2", "web-1", "r1", "--dscp=-1");
        Add("64", Aoore, "dscp", "must be less than or equal to '63'", "lease-acquire", "run-2", "web-1", "r1", "--dscp", "64");
        Add("'.'", Ae, "hostName", StartsWith, "lease-release", "run-1", ".");
        Add("three octets", Ae, "neighborIp", IpRule, "neighbor-acquire", "run-2", "web-1", "1.2.3");
        Add("':'", Ae, "hostName", Alphabet, "neighbor-acquire", "run-2", "web:1", "10.0.0.1");
        Add("leading zero", Ae, "neighborIp", IpRule, "neighbor-release", "run-1", "web-1", "10.0.0.01");
        Add("traversal", Ae, "routerName", Alphabet, "lock", "../x", "job-2");
        Add("space", Ae, "jobId", "may only contain", "lock", "r2", "job 2");
        Add("negative timeout", Aoore, "timeout", TimeoutRule, "lock", "r2", "job-2", "--timeout=-5");
        Add("NaN timeout", Aoore, "timeout", "must be a finite number of seconds", "lock", "r2", "job-2", "--timeout", "NaN");
        Add("huge timeout", Aoore, "timeout", "must be a finite number of seconds", "lock", "r2", "job-2", "--timeout", "1e300");
        Add("30-day timeout", Aoore, "timeout", "must be a finite number of seconds from 0 to", "lock", "r2", "job-2", "--timeout", "2592000");
        Add("negative timeout", Aoore, "timeout", TimeoutRule, "trylock", "r2", "job-2", "--timeout=-1");
        Add("infinite timeout", Aoore, "timeout", "must be a finite number of seconds", "trylock", "r2", "job-2", "--timeout", "Infinity");
        Add("empty list", Ae, "routerNames", "must name at least one router", "lock-all", ",,", "job-2");
        Add("space in one", Ae, "routerNames", Alphabet, "lock-all", "r2,r 3", "job-2");
        Add("'/'", Ae, "routerName", Alphabet, "release", "r/1", "job-1");
        Add("'..'", Ae, "routerName", StartsWith, "is-locked", "..");
        Add("':'", Ae, "routerName", Alphabet, "owner", "r:1");
        Add("negative timeout", Aoore, "timeout", TimeoutRule, "wait-router", "r1", "--timeout=-2");
        Add("'/' inside", Ae, "lockname", "must be 1 to 251 characters", "sem-value", "a/b");
        Add("traversal", Ae, "lockname", "must be 1 to 251 characters", "sem-value", "../../x");
        Add("empty", Ae, "lockname", "must be 1 to 251 characters", "sem-value", "/");
        AddGlobal("prefix with '/'", "hosts", "SemaphorePrefix", "must be 1 to 32 characters", "--prefix", "a/b");
        AddGlobal("prefix with space", "repair", "SemaphorePrefix", "must be 1 to 32 characters", "--prefix", "a b");
        AddGlobal("prefix continuing another's router", "hosts", "SemaphorePrefix", "must not contain '-router' followed by '-' or the end", "--prefix", "hd-router-b");
        AddGlobal("hidden prefix", "hosts", "SemaphorePrefix", "must start with an ASCII letter or digit", "--prefix", ".hd");
        AddGlobal("negative lock timeout", "repair", "HostRegistrySeconds", "must be between 0 and", "--prefix", "hdcorpus", "--lock-timeout", "host_registry=-1");
        return corpus;
    }

    private sealed record BadRun(string[] Args, string Exception, string Argument, string Rule, bool RawGlobals);
}
