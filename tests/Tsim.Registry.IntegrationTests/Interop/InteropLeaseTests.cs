using System.Text.Json.Nodes;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Interop;

/// <summary>Host and neighbour leases taken on both sides count in one reference count.</summary>
/// <remarks>
/// By design a Python release removes every lease of its run id on the host, a C# release one (docs/ARCHITECTURE.md,
/// README): the two sides use distinct run ids, as separate jobs do.
/// </remarks>
[Collection(PythonInterop.Name)]
public sealed class InteropLeaseTests : IDisposable
{
    private readonly InteropSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task HostLeasesFromBothSides_AddUp_AndTheLastReleaseFromEitherSideReportsShouldDelete()
    {
        (await _sandbox.RunPythonAsync("register", "lh1", "10.40.0.1/24", "r4", "02:dd:00:00:00:01")).First.Should().Be("REGISTERED");
        var manager = _sandbox.CreateManager();

        // Round 1: the last release comes from Python.
        (await _sandbox.RunPythonAsync("lease-acquire", "py-a", "lh1", "r4")).Lines.Should().Equal("1");
        (await _sandbox.RunCliAsync("lease-acquire", "cs-a", "lh1", "r4")).Lines.Should().Equal("2");
        (await _sandbox.RunPythonAsync("lease-acquire", "py-b", "lh1", "r4", "--job-type", "detailed", "--dscp", "46")).Lines.Should().Equal("3");
        manager.AcquireSourceHostLease("cs-b", "lh1", "quick", "r4", dscp: 10).Should().Be(4);
        manager.GetHostLeaseCount("lh1").Should().Be(4);
        (await _sandbox.RunPythonAsync("lease-count", "lh1")).Lines.Should().Equal("4");
        var pythonView = JsonNode.Parse((await _sandbox.RunPythonAsync("leases", "lh1")).Stdout)!["lh1"]!;
        pythonView["router"]!.GetValue<string>().Should().Be("r4");
        pythonView["leases"]!.AsArray().Select(l => l!["run_id"]!.GetValue<string>()).Should().Equal("py-a", "cs-a", "py-b", "cs-b");

        Release(await _sandbox.RunPythonAsync("lease-release", "py-a", "lh1")).Should().Be((3, false));
        manager.ReleaseSourceHostLease("cs-a", "lh1").Should().Be(new LeaseRelease(2, false));
        manager.ReleaseSourceHostLease("cs-b", "lh1").Should().Be(new LeaseRelease(1, false));
        Release(await _sandbox.RunPythonAsync("lease-release", "py-b", "lh1")).Should().Be((0, true));
        manager.GetHostLeaseCount("lh1").Should().Be(0);

        // Round 2: the last release comes from C#.
        (await _sandbox.RunPythonAsync("lease-acquire", "py-c", "lh1", "r4")).Lines.Should().Equal("1");
        manager.AcquireSourceHostLease("cs-c", "lh1", "quick", "r4").Should().Be(2);
        Release(await _sandbox.RunPythonAsync("lease-release", "py-c", "lh1")).Should().Be((1, false));
        manager.ReleaseSourceHostLease("cs-c", "lh1").Should().Be(new LeaseRelease(0, true));
        (await _sandbox.RunPythonAsync("lease-count", "lh1")).Lines.Should().Equal("0");
    }

    [Fact]
    public async Task NeighborLeasesFromBothSides_AddUp_AndTheLastReleaseFromEitherSideReportsShouldDelete()
    {
        var manager = _sandbox.CreateManager();

        // Round 1: the last release comes from Python.
        (await _sandbox.RunPythonAsync("neighbor-acquire", "py-a", "lh1", "10.40.0.9")).Lines.Should().Equal("1");
        manager.AcquireNeighborLease("cs-a", "lh1", "10.40.0.9").Should().Be(2);
        (await _sandbox.RunCliAsync("neighbor-acquire", "cs-b", "lh1", "10.40.0.9")).Lines.Should().Equal("3");
        manager.ReleaseNeighborLease("cs-a", "lh1", "10.40.0.9").Should().Be(new LeaseRelease(2, false));
        var cliRelease = await _sandbox.RunCliAsync("neighbor-release", "cs-b", "lh1", "10.40.0.9");
        JsonNode.DeepEquals(JsonNode.Parse(cliRelease.Lines.Single()), JsonNode.Parse("""{"ref_count": 1, "should_delete": false}""")).Should().BeTrue(cliRelease.ToString());
        Release(await _sandbox.RunPythonAsync("neighbor-release", "py-a", "lh1", "10.40.0.9")).Should().Be((0, true));

        // Round 2: the last release comes from C#.
        manager.AcquireNeighborLease("cs-c", "lh1", "10.40.0.9").Should().Be(1);
        (await _sandbox.RunPythonAsync("neighbor-acquire", "py-c", "lh1", "10.40.0.9")).Lines.Should().Equal("2");
        Release(await _sandbox.RunPythonAsync("neighbor-release", "py-c", "lh1", "10.40.0.9")).Should().Be((1, false));
        manager.ReleaseNeighborLease("cs-c", "lh1", "10.40.0.9").Should().Be(new LeaseRelease(0, true));
        JsonNode.Parse(File.ReadAllText(_sandbox.PathOf("neighbor_leases.json")))!.AsObject().Should().BeEmpty();
    }

    /// <summary>Parses the Python client's <c>{"ref_count": n, "should_delete": b}</c>.</summary>
    private static (int RefCount, bool ShouldDelete) Release(ProcessRun run)
    {
        run.ExitCode.Should().Be(0, run.ToString());
        var json = JsonNode.Parse(run.First)!;
        return (json["ref_count"]!.GetValue<int>(), json["should_delete"]!.GetValue<bool>());
    }
}
