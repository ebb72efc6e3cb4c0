using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Tsim.Registry.TestWorker;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.Interop;

/// <summary>Python and C# processes registering hosts into one hosts.json at the same moment.</summary>
[Collection(PythonInterop.Name)]
public sealed class InteropStormTests : IDisposable
{
    private const int Distinct = 1000;
    private const int Processes = 8;
    private const int Chunk = Distinct / Processes;

    /// <summary>Every process also takes this many hosts of the next process's chunk: duplicates across the sides.</summary>
    private const int Overlap = 25;

    /// <summary>Every i divisible by this also tries x&lt;i&gt; with the IP of h&lt;i&gt;: duplicates by IP.</summary>
    private const int DupEvery = 10;

    private static readonly TimeSpan s_stormTimeout = TimeSpan.FromSeconds(120);

    private readonly InteropSandbox _sandbox = new();
    private readonly ITestOutputHelper _output;

    public InteropStormTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task FourPythonAndFourCSharpProcesses_RegisterAThousandHosts_EachExactlyOnce()
    {
        // Process k registers [125k, 125k + 150) (the last one [875, 1000)); even k are Python, odd k C#, so every
        // overlap of two neighbouring chunks is a Python/C# pair racing for the same 25 hosts.
        var processes = new List<ChildProcess>();
        var attempts = 0;
        for (var k = 0; k < Processes; k++)
        {
            var start = k * Chunk;
            var count = k < Processes - 1 ? Chunk + Overlap : Chunk;
            attempts += count + Enumerable.Range(start, count).Count(i => i % DupEvery == 0);
            string[] range = [Number(start), Number(count), "--dup-every", Number(DupEvery), "--router", "r1"];
            processes.Add(k % 2 == 0
                ? _sandbox.StartPythonScript("register_range.py", ["--registry-dir", _sandbox.Directory, "--lock-timeout", "host_registry=60", .. range])
                : _sandbox.StartWorker("register-range", [.. range, "--registry-timeout", "60"]));
        }

        foreach (var process in processes)
        {
            await process.ExpectAsync("ready", s_stormTimeout);
        }

        // A reader parses hosts.json over and over while the writers run: every version it sees must be whole JSON.
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() => ParseRepeatedly(_sandbox.PathOf("hosts.json"), stop.Token));
        var started = Stopwatch.GetTimestamp();
        foreach (var process in processes)
        {
            process.SendLine("go");
        }

        int registered = 0, collisions = 0;
        foreach (var process in processes)
        {
            var done = await process.ExpectAsync("done", s_stormTimeout);
            registered += int.Parse(done[0], CultureInfo.InvariantCulture);
            collisions += int.Parse(done[1], CultureInfo.InvariantCulture);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        await stop.CancelAsync();
        var (parses, failures) = await reader;
        _output.WriteLine($"{attempts} registrations ({registered} registered, {collisions} refused) in {elapsed.TotalSeconds:F1} s; hosts.json parsed {parses} times during the storm, {failures.Count} failures");

        failures.Should().BeEmpty("hosts.json is replaced atomically, so a reader never sees a partial file");
        parses.Should().BeGreaterThan(0);
        registered.Should().Be(Distinct, "every distinct host is registered exactly once");
        collisions.Should().Be(attempts - Distinct, "every duplicate is refused");

        var hosts = _sandbox.ReadHostsFile();
        hosts.Count.Should().Be(Distinct);
        for (var i = 0; i < Distinct; i++)
        {
            // x<i> is tried first exactly when i / DupEvery is odd (register-range's rule on both sides), so it wins then.
            var xWins = i % DupEvery == 0 && (i / DupEvery) % 2 == 1;
            var name = xWins ? HostAddresses.DuplicateName(i) : HostAddresses.Name(i);
            var loser = xWins ? HostAddresses.Name(i) : HostAddresses.DuplicateName(i);
            hosts.ContainsKey(loser).Should().BeFalse($"{loser} has the IP of {name}");
            var host = hosts[name];
            host.Should().NotBeNull($"{name} must be registered");
            host!["primary_ip"]!.GetValue<string>().Should().Be(HostAddresses.Ip(i));
            host["mac_address"]!.GetValue<string>().Should().Be(xWins ? HostAddresses.DuplicateMac(i) : HostAddresses.Mac(i));
            host["connected_to"]!.GetValue<string>().Should().Be("r1");
        }

        // Both implementations read the result alike.
        var csharp = _sandbox.CreateManager().ListAllHosts();
        csharp.Keys.Should().BeEquivalentTo(hosts.Select(h => h.Key));
        var python = await _sandbox.RunPythonAsync("hosts");
        python.ExitCode.Should().Be(0, python.Stderr);
        JsonDocument.Parse(python.Stdout).RootElement.EnumerateObject().Count().Should().Be(Distinct);
    }

    private static (int Parses, List<string> Failures) ParseRepeatedly(string path, CancellationToken stop)
    {
        var parses = 0;
        var failures = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (FileNotFoundException)
            {
                continue; // Before the first write.
            }

            try
            {
                using var document = JsonDocument.Parse(bytes);
                parses++;
            }
            catch (JsonException ex)
            {
                failures.Add($"{ex.Message} in {bytes.Length} bytes");
            }
        }

        return (parses, failures);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
