using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Tsim.Registry.IntegrationTests.Interop;
using Tsim.Registry.TestWorker;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.TsimHost;

/// <summary>tsim processes and C# workers registering hosts into tsim's <c>host_registry.json</c> at the same moment.</summary>
[Collection(PythonInterop.Name)]
public sealed class TsimHostStormTests : IDisposable
{
    private const int Distinct = 200;

    /// <summary>The two ranges, [0, 120) and [80, 200): each run by one tsim and one C# process at the same moment.</summary>
    private static readonly (int Start, int Count)[] s_ranges = [(0, 120), (80, 120)];

    /// <summary>Every i divisible by this also tries x&lt;i&gt; with the IP of h&lt;i&gt; on the same router.</summary>
    private const int DupEvery = 10;

    private static readonly TimeSpan s_stormTimeout = TimeSpan.FromSeconds(120);

    private readonly TsimHostSandbox _host = new();
    private readonly ITestOutputHelper _output;

    public TsimHostStormTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task TwoTsimAndTwoCSharpProcesses_RegisterTwoHundredHostsWithCrossSideDuplicates_EachExactlyOnce()
    {
        // A tsim and a C# process race through each range from its first host, and [80, 120) is in both ranges, so every
        // host is fought over across the sides; every tenth address is also tried under a second name. All on one
        // router: tsim's per-router IP rule (C#) and the reference's global rule (Python) agree there.
        var processes = new List<(string Name, ChildProcess Process, int Attempts)>();
        foreach (var (start, count) in s_ranges)
        {
            var attempts = count + Enumerable.Range(start, count).Count(i => i % DupEvery == 0);
            string[] range = [Number(start), Number(count), "--dup-every", Number(DupEvery), "--router", "r1"];
            processes.Add(($"tsim [{start}, {start + count})", _host.StartTsim(["--lock-timeout", "host_registry=60", "register-range", .. range]), attempts));
            processes.Add(($"C#   [{start}, {start + count})", _host.StartWorker("register-range", [.. range, "--registry-timeout", "60"]), attempts));
        }

        foreach (var (_, process, _) in processes)
        {
            await process.ExpectAsync("ready", s_stormTimeout);
        }

        var started = Stopwatch.GetTimestamp();
        foreach (var (_, process, _) in processes)
        {
            process.SendLine("go");
        }

        int registered = 0, collisions = 0, attemptsInAll = 0;
        foreach (var (name, process, attempts) in processes)
        {
            var done = await process.ExpectAsync("done", s_stormTimeout);
            var (ok, refused) = (int.Parse(done[0], CultureInfo.InvariantCulture), int.Parse(done[1], CultureInfo.InvariantCulture));
            _output.WriteLine($"{name}: {attempts} attempts, {ok} registered, {refused} refused");
            (ok + refused).Should().Be(attempts, $"{name} reports every attempt");
            registered += ok;
            collisions += refused;
            attemptsInAll += attempts;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        _output.WriteLine($"in all: {attemptsInAll} attempts, {registered} registered, {collisions} refused, {elapsed.TotalSeconds:F1} s");
        registered.Should().Be(Distinct, "every distinct host is registered by exactly one process of either side");
        collisions.Should().Be(attemptsInAll - Distinct, "every duplicate is refused");

        // The file: each name once (counted in the raw JSON, where a duplicate key would show), each IP and MAC once.
        using var document = JsonDocument.Parse(File.ReadAllBytes(_host.DataPath("host_registry.json")));
        var entries = document.RootElement.EnumerateObject().ToList();
        entries.Should().HaveCount(Distinct);
        entries.Select(e => e.Name).Should().OnlyHaveUniqueItems();
        entries.Select(e => e.Value.GetProperty("primary_ip").GetString()).Should().OnlyHaveUniqueItems();
        entries.Select(e => e.Value.GetProperty("mac_address").GetString()).Should().OnlyHaveUniqueItems();
        var hosts = entries.ToDictionary(e => e.Name, e => e.Value);
        for (var i = 0; i < Distinct; i++)
        {
            // x<i> is tried first exactly when i / DupEvery is odd, on both sides, so it wins then.
            var xWins = i % DupEvery == 0 && (i / DupEvery) % 2 == 1;
            var (name, loser) = xWins ? (HostAddresses.DuplicateName(i), HostAddresses.Name(i)) : (HostAddresses.Name(i), HostAddresses.DuplicateName(i));
            hosts.Should().ContainKey(name);
            hosts.Should().NotContainKey(loser, $"{loser} has the IP of {name} on the same router");
            hosts[name].GetProperty("primary_ip").GetString().Should().Be(HostAddresses.Ip(i));
            hosts[name].GetProperty("connected_to").GetString().Should().Be("r1");
        }

        File.Exists(_host.DataPath("hosts.json")).Should().BeFalse();
        var file = PathStatus.Of(_host.DataPath("host_registry.json"));
        (file.Permissions, file.Gid).Should().Be((Convert.ToInt32("660", 8), (uint)TsimHostSandbox.GroupId), file.ToString());

        // Both sides read the result alike.
        var cli = await _host.RunCliAsync("hosts");
        cli.ExitCode.Should().Be(0, cli.Stderr);
        JsonDocument.Parse(cli.Stdout).RootElement.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(hosts.Keys);
        var tsim = await _host.RunTsimAsync("hosts");
        tsim.ExitCode.Should().Be(0, tsim.Stderr);
        JsonDocument.Parse(tsim.Stdout).RootElement.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(hosts.Keys);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
