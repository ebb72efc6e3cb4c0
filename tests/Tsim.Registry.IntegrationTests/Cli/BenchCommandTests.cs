namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>
/// The load benchmark is not a command of the operators' tool: it is the program
/// <c>benchmarks/Tsim.Registry.LoadBenchmark</c>, so <c>tsim-registry</c> neither lists nor accepts <c>bench</c> or
/// its worker verb (the tool package's contents are checked in the packaging test).
/// </summary>
public sealed class BenchCommandTests
{
    [Theory]
    [InlineData("bench")]
    [InlineData("bench-worker")]
    public async Task Bench_IsNoLongerACommand_UsageErrorExitingTwo(string verb)
    {
        var result = await CliSandbox.RunRawAsync(verb, "--quick");

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith("ERROR UsageError: ")
            .And.Contain($"ERROR UsageError: Unrecognized command or argument '{verb}'.");
        result.Lines.Should().BeEmpty("nothing ran");
    }

    [Fact]
    public async Task Help_ListsNoBenchCommand()
    {
        var result = await CliSandbox.RunRawAsync("--help");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().Contain(l => l.TrimStart().StartsWith("demo ", StringComparison.Ordinal), "the help lists the commands");
        result.Lines.Should().NotContain(l => l.TrimStart().StartsWith("bench", StringComparison.Ordinal));
    }
}
