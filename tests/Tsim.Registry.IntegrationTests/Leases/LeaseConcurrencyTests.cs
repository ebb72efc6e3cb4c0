using System.Globalization;
using System.Text.Json;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Leases;

/// <summary>Spec integration test "reference counting with concurrent acquire/release", across processes.</summary>
public sealed class LeaseConcurrencyTests : IDisposable
{
    private static readonly string s_host = "h1";
    private static readonly string s_neighbor = "10.0.0.99";
    private static readonly TimeSpan s_loopTimeout = TimeSpan.FromSeconds(120);

    private readonly RegistryFixture _registry = new();
    private readonly RegistryManager _manager;

    public LeaseConcurrencyTests()
    {
        _manager = _registry.CreateManager();
        _manager.CheckAndRegisterHost(s_host, "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();
    }

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task HostAndNeighborLeases_FourProcessesAcquiringAndReleasing_EndAtZeroWithNoEntryLeft()
    {
        var workers = await _registry.StartTogetherAsync(
            "lease-loop",
            [.. Enumerable.Range(0, 4).Select(w => new[] { s_host, $"run-{w}", "50", "--neighbor", s_neighbor })]);

        foreach (var worker in workers)
        {
            await worker.ExpectAsync("done", s_loopTimeout);
            (await worker.WaitForExitAsync()).Should().Be(0);
        }

        _manager.GetHostLeaseCount(s_host).Should().Be(0);
        _manager.ListHostLeases().Should().BeEmpty();
        using var hostLeases = ReadJson("host_leases.json");
        hostLeases.RootElement.TryGetProperty(s_host, out _).Should().BeFalse("a host whose count reaches 0 leaves host_leases.json");
        using var neighborLeases = ReadJson("neighbor_leases.json");
        neighborLeases.RootElement.TryGetProperty($"{s_host}:{s_neighbor}", out _).Should().BeFalse();
    }

    [Fact]
    public async Task HostAndNeighborLeases_ThreeProcessesHoldingTheirLeases_CountEveryOneThenReleaseToZero()
    {
        const int PerWorker = 40;
        var workers = await _registry.StartTogetherAsync(
            "lease-loop",
            [.. Enumerable.Range(0, 3).Select(w => new[] { s_host, $"run-{w}", PerWorker.ToString(CultureInfo.InvariantCulture), "--hold", "--neighbor", s_neighbor })]);

        var held = new List<int>();
        foreach (var worker in workers)
        {
            held.Add(int.Parse((await worker.ExpectAsync("held", s_loopTimeout))[0], CultureInfo.InvariantCulture));
        }

        // Whoever acquired last saw every lease; nobody can have seen more.
        held.Max().Should().Be(3 * PerWorker);
        _manager.GetHostLeaseCount(s_host).Should().Be(3 * PerWorker);
        var leases = _manager.ListHostLeases(s_host)[s_host];
        leases.RouterName.Should().Be("r1");
        leases.Leases.GroupBy(l => l.RunId).Should().HaveCount(3).And.OnlyContain(g => g.Count() == PerWorker);
        for (var w = 0; w < workers.Length; w++)
        {
            leases.Leases.Where(l => l.RunId == $"run-{w}").Should().OnlyContain(l => l.Pid == workers[w].Pid);
        }

        using (var neighborLeases = ReadJson("neighbor_leases.json"))
        {
            neighborLeases.RootElement.GetProperty($"{s_host}:{s_neighbor}").GetProperty("leases").GetArrayLength().Should().Be(3 * PerWorker);
        }

        foreach (var worker in workers)
        {
            worker.SendLine("release");
        }

        var left = new List<int>();
        foreach (var worker in workers)
        {
            left.Add(int.Parse((await worker.ExpectAsync("released", s_loopTimeout))[0], CultureInfo.InvariantCulture));
            (await worker.WaitForExitAsync()).Should().Be(0);
        }

        left.Min().Should().Be(0, "the last release leaves no lease");
        _manager.GetHostLeaseCount(s_host).Should().Be(0);
        using var hostLeases = ReadJson("host_leases.json");
        hostLeases.RootElement.EnumerateObject().Should().BeEmpty();
    }

    private JsonDocument ReadJson(string fileName) => JsonDocument.Parse(File.ReadAllBytes(_registry.PathOf(fileName)));
}
