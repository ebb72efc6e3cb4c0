using System.Text.Json;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>Every operator command's <c>--json</c> is one parseable JSON object, on a seeded registry and on an empty one.</summary>
public sealed class OperatorJsonTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    public static TheoryData<string[], int> Commands => new()
    {
        { ["status", "--json"], 0 },
        { ["locks", "--json"], 0 },
        { ["reap", "--dry-run", "--json"], 0 },
        { ["reap", "--json"], 0 },
        { ["unlock", "r3", "--force", "--json"], 0 },
        { ["unlock", "r9", "--force", "--json"], 1 },
        { ["repair", "--json"], 0 },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task OperatorCommand_Json_PrintsOneParseableObject(string[] command, int exitCode)
    {
        await OperatorRegistry.SeedAsync(_sandbox);

        var result = await _sandbox.RunAsync(command);

        result.ExitCode.Should().Be(exitCode, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        document.RootElement.ValueKind.Should().Be(JsonValueKind.Object);
    }

    [Fact]
    public async Task Unlock_Json_NamesTheLockAndItsDeadOwner()
    {
        var registry = await OperatorRegistry.SeedAsync(_sandbox);

        var result = await _sandbox.RunAsync("unlock", "r3", "--force", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        var root = document.RootElement;
        root.GetProperty("result").GetString().Should().Be("UNLOCKED");
        root.GetProperty("unlocked").GetBoolean().Should().BeTrue();
        root.GetProperty("lock").GetString().Should().Be($"{_sandbox.Prefix}-router-r3");
        root.GetProperty("previous_owner").GetProperty("pid").GetInt32().Should().Be(registry.DeadHolderPid);
        root.GetProperty("previous_owner").GetProperty("owner_state").GetString().Should().Be("dead");
    }

    [Fact]
    public async Task Repair_Json_NamesEachMovedFile()
    {
        (await _sandbox.RunAsync("register", "web-1", "10.0.0.10/24", "r1", "02:00:00:00:00:0a")).ExitCode.Should().Be(0);
        var hosts = Path.Combine(_sandbox.RegistryDirectory, "hosts.json");
        File.WriteAllText(hosts, "{");

        var result = await _sandbox.RunAsync("repair", "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        document.RootElement.GetProperty("ok").GetBoolean().Should().BeFalse();
        var moved = document.RootElement.GetProperty("moved").EnumerateArray().Should().ContainSingle().Subject;
        moved.GetProperty("file").GetString().Should().Be(hosts);
        moved.GetProperty("moved_to").GetString().Should().StartWith(hosts + ".corrupt-");
        moved.GetProperty("reason").GetString().Should().NotBeEmpty();
        File.Exists(moved.GetProperty("moved_to").GetString()).Should().BeTrue();
    }

    [Theory]
    [InlineData("repair")]
    [InlineData("status")]
    [InlineData("locks")]
    [InlineData("reap")]
    public async Task OperatorCommand_JsonOnEmptyRegistry_Parses(string command)
    {
        var result = await _sandbox.RunAsync(command, "--json");

        result.ExitCode.Should().Be(0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        document.RootElement.ValueKind.Should().Be(JsonValueKind.Object);
    }
}
