using System.Text.RegularExpressions;
using Tsim.Registry.IntegrationTests.Cli;

namespace Tsim.Registry.IntegrationTests.Hardening;

/// <summary><c>tsim-registry repair</c>: corrupt registry files moved aside under a timestamped name, said on stdout.</summary>
public sealed partial class CliRepairTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Repair_NothingCorrupt_PrintsOkAndChangesNothing()
    {
        (await _sandbox.RunAsync("register", "web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01")).ExitCode.Should().Be(0);
        var hosts = File.ReadAllBytes(PathOf("hosts.json"));

        var result = await _sandbox.RunAsync("repair");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().Equal("OK");
        File.ReadAllBytes(PathOf("hosts.json")).Should().Equal(hosts);
    }

    [Fact]
    public async Task Repair_CorruptFiles_MovesEachAsideSaysSoAndRegistryWorksAgain()
    {
        (await _sandbox.RunAsync("register", "web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01")).ExitCode.Should().Be(0);
        (await _sandbox.RunAsync("lease-acquire", "run-1", "web-1", "r1")).ExitCode.Should().Be(0);
        var leases = File.ReadAllBytes(PathOf("host_leases.json"));
        const string Corrupt = "{\"web-1\": {\"primary_ip\": \"10.0.0.1\",, }";
        File.WriteAllText(PathOf("hosts.json"), Corrupt);
        File.WriteAllText(PathOf("neighbor_leases.json"), "[");
        var refused = await _sandbox.RunAsync("hosts");
        refused.ExitCode.Should().Be(2);
        refused.Stderr.Should().Contain("ERROR RegistryCorruptionException: ").And.Contain(PathOf("hosts.json"));

        var result = await _sandbox.RunAsync("repair");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().HaveCount(2);
        var moved = result.Lines.Select(line => MovedLine().Match(line)).ToArray();
        moved.Should().AllSatisfy(m => m.Success.Should().BeTrue(string.Join('\n', result.Lines)));
        moved.Select(m => m.Groups["from"].Value).Should().Equal(PathOf("hosts.json"), PathOf("neighbor_leases.json"));
        foreach (var match in moved)
        {
            match.Groups["to"].Value.Should().Be($"{match.Groups["from"].Value}.corrupt-{match.Groups["stamp"].Value}");
            match.Groups["reason"].Value.Should().Contain("is corrupt at line 1");
            File.Exists(match.Groups["from"].Value).Should().BeFalse();
        }

        File.ReadAllText(moved[0].Groups["to"].Value).Should().Be(Corrupt, "moved, not rewritten");
        File.ReadAllText(moved[1].Groups["to"].Value).Should().Be("[");
        File.ReadAllBytes(PathOf("host_leases.json")).Should().Equal(leases, "a file that parses is left alone");
        var hosts = await _sandbox.RunAsync("hosts");
        hosts.ExitCode.Should().Be(0, hosts.ToString());
        hosts.Lines.Should().Equal("{}");
        (await _sandbox.RunAsync("repair")).Lines.Should().Equal("OK");
    }

    [Fact]
    public async Task Repair_JsonOfTheWrongShapeBesideABrokenFile_MovesOnlyTheBrokenOneAndSaysWhatToDo()
    {
        (await _sandbox.RunAsync("register", "web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01")).ExitCode.Should().Be(0);
        File.WriteAllText(PathOf("hosts.json"), "{\"web-1\": null}");
        File.WriteAllText(PathOf("neighbor_leases.json"), "[");

        var result = await _sandbox.RunAsync("repair");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().Contain("ERROR RegistryCorruptionException: ")
            .And.Contain("host 'web-1' is null")
            .And.Contain("repair does not move it, because it is JSON")
            .And.Contain($"This repair moved '{PathOf("neighbor_leases.json")}' to '{PathOf("neighbor_leases.json")}.corrupt-");
        File.ReadAllText(PathOf("hosts.json")).Should().Be("{\"web-1\": null}", "a file that is JSON is never moved");
        File.Exists(PathOf("neighbor_leases.json")).Should().BeFalse();
        Directory.GetFiles(_sandbox.RegistryDirectory, "neighbor_leases.json.corrupt-*").Should().ContainSingle();
    }

    private string PathOf(string fileName) => Path.Combine(_sandbox.RegistryDirectory, fileName);

    [GeneratedRegex(@"^MOVED (?<from>\S+) (?<to>\S+\.corrupt-(?<stamp>\d{8}T\d{6}Z)): (?<reason>.+)$")]
    private static partial Regex MovedLine();
}
