using System.Globalization;
using System.Text.Json;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Tsim.Registry.TestWorker;

namespace Tsim.Registry.IntegrationTests.Hosts;

/// <summary>Atomic check-and-register across processes: overlapping ranges, each host registered exactly once.</summary>
public sealed class ConcurrentRegistrationTests : IDisposable
{
    private static readonly TimeSpan s_loopTimeout = TimeSpan.FromSeconds(120);

    private readonly RegistryFixture _registry = new();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task CheckAndRegisterHost_FourProcessesWithOverlappingRanges_RegistersEachHostExactlyOnce()
    {
        const int DupEvery = 10;
        (int Start, int Count)[] ranges = [(0, 100), (50, 100), (100, 100), (0, 200)];
        var workers = await _registry.StartTogetherAsync(
            "register-range",
            [.. ranges.Select(r => new[] { Number(r.Start), Number(r.Count), "--dup-every", Number(DupEvery) })]);

        int registered = 0, collisions = 0;
        foreach (var worker in workers)
        {
            var counts = await worker.ExpectAsync("done", s_loopTimeout);
            registered += int.Parse(counts[0], CultureInfo.InvariantCulture);
            collisions += int.Parse(counts[1], CultureInfo.InvariantCulture);
            (await worker.WaitForExitAsync()).Should().Be(0);
        }

        // Indexes 0..199; for each multiple of DupEvery, h<i> and x<i> share an IP and only one can win.
        const int Distinct = 200;
        var attempts = ranges.Sum(r => r.Count + Enumerable.Range(r.Start, r.Count).Count(i => i % DupEvery == 0));
        registered.Should().Be(Distinct, "every success is one entry, and every index gets exactly one");
        collisions.Should().Be(attempts - Distinct);

        using var hosts = JsonDocument.Parse(File.ReadAllBytes(_registry.PathOf("hosts.json")));
        var entries = hosts.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        entries.Should().HaveCount(Distinct);
        for (var i = 0; i < Distinct; i++)
        {
            var plain = entries.TryGetValue(HostAddresses.Name(i), out var plainEntry);
            var duplicate = entries.TryGetValue(HostAddresses.DuplicateName(i), out var duplicateEntry);
            (plain ^ duplicate).Should().BeTrue("exactly one of {0} and {1} is registered", HostAddresses.Name(i), HostAddresses.DuplicateName(i));

            var entry = plain ? plainEntry : duplicateEntry;
            entry.GetProperty("primary_ip").GetString().Should().Be(HostAddresses.Ip(i));
            entry.GetProperty("mac_address").GetString().Should().Be(plain ? HostAddresses.Mac(i) : HostAddresses.DuplicateMac(i));
            entry.GetProperty("connected_to").GetString().Should().Be("r1");
        }

        entries.Keys.Should().Contain(HostAddresses.DuplicateName(DupEvery), "the worker tries x<i> first for odd multiples, so duplicates win too");
        using var manager = _registry.CreateManager();
        manager.ListAllHosts().Keys.Should().BeEquivalentTo(entries.Keys);
    }

    private static string Number(int value) => RegistryFixture.Number(value);
}
