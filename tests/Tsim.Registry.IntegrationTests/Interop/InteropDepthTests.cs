using System.Text.Json;
using Tsim.Registry.Storage;

namespace Tsim.Registry.IntegrationTests.Interop;

/// <summary>
/// Deeply nested additional information across the two implementations (docs/ARCHITECTURE.md, "Deviations", 8 and
/// 10): what Python writes and reads, the CLI reads and repair leaves alone; what the CLI writes, Python reads.
/// </summary>
[Collection(PythonInterop.Name)]
public sealed class InteropDepthTests : IDisposable
{
    private readonly InteropSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private string HostsPath => _sandbox.PathOf("hosts.json");

    [Fact]
    public async Task PythonAdditionalInfo65LevelsDeep_IsReadByTheCliAsPythonReadsIt_AndRepairMovesNothing()
    {
        // additional_info {"deep": …} nests 65 levels (itself counted); merged into the entry, hosts.json nests 66.
        var info = "{\"deep\": " + NestedJson.Object(64) + "}";
        var register = await _sandbox.RunPythonAsync("register", "py1", "10.60.0.1/24", "r1", "02:dd:00:00:00:01", "--info", info);
        register.First.Should().Be("REGISTERED", register.ToString());
        var written = File.ReadAllBytes(HostsPath);
        NestedJson.LevelsOf(written).Should().Be(66);

        var cliHosts = await _sandbox.RunCliAsync("hosts");
        var cliInfo = await _sandbox.RunCliAsync("host-info", "py1");

        cliHosts.ExitCode.Should().Be(0, cliHosts.ToString());
        cliHosts.Stdout.Should().Be((await _sandbox.RunPythonAsync("hosts")).Stdout, "the CLI prints what the Python client prints");
        cliInfo.ExitCode.Should().Be(0, cliInfo.ToString());
        var pythonInfo = await _sandbox.RunPythonAsync("host-info", "py1");
        cliInfo.Lines.Single().Should().Be(pythonInfo.First);

        var repair = await _sandbox.RunCliAsync("repair");

        repair.ExitCode.Should().Be(0, repair.ToString());
        repair.Lines.Should().Equal("OK");
        File.ReadAllBytes(HostsPath).Should().Equal(written, "a file Python reads is never moved aside, nor touched");
        Directory.GetFiles(_sandbox.Directory, "*.corrupt-*").Should().BeEmpty();

        // A C# write of the file keeps Python's host as Python reads it.
        (await _sandbox.RunCliAsync("register", "cs1", "10.60.0.2/24", "r1", "02:dd:00:00:00:02")).Lines.Should().Equal("REGISTERED");
        (await _sandbox.RunPythonAsync("host-info", "py1")).First.Should().Be(pythonInfo.First);
    }

    [Fact]
    public async Task CliRegisterWithInfoAtTheLimit_RoundTripsThroughBothSides_AndOneLevelMoreIsRefusedUpFront()
    {
        var info = NestedJson.Object(RegistryJsonDepth.AdditionalInfo);

        var register = await _sandbox.RunCliAsync("register", "cs1", "10.61.0.1/24", "r1", "02:dd:00:00:01:01", "--info", info);

        register.ExitCode.Should().Be(0, register.ToString());
        register.Lines.Should().Equal("REGISTERED");
        var written = File.ReadAllBytes(HostsPath);
        NestedJson.LevelsOf(written).Should().Be(RegistryJsonDepth.AdditionalInfo + 1);
        var cliInfo = await _sandbox.RunCliAsync("host-info", "cs1");
        cliInfo.ExitCode.Should().Be(0, cliInfo.ToString());
        cliInfo.Lines.Single().Should().Be((await _sandbox.RunPythonAsync("host-info", "cs1")).First, "Python reads what the CLI wrote");
        using (var entry = JsonDocument.Parse(cliInfo.Lines.Single()))
        using (var given = JsonDocument.Parse(info))
        {
            JsonElement.DeepEquals(entry.RootElement.GetProperty("a"), given.RootElement.GetProperty("a")).Should().BeTrue();
        }

        var tooDeep = await _sandbox.RunCliAsync(
            "register", "cs2", "10.61.0.2/24", "r1", "02:dd:00:00:01:02", "--info", NestedJson.Object(RegistryJsonDepth.AdditionalInfo + 1));

        tooDeep.ExitCode.Should().Be(2, tooDeep.ToString());
        tooDeep.Stderr.Should().Contain("ERROR ArgumentException: ")
            .And.Contain($"nests deeper than {RegistryJsonDepth.AdditionalInfo} levels")
            .And.Contain("additionalInfo");
        File.ReadAllBytes(HostsPath).Should().Equal(written, "nothing is written on bad input");
    }
}
