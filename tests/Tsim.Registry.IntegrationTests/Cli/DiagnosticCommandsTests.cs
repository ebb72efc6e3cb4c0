
namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary><c>sem-value</c>: the raw semaphore, with and without a holder.</summary>
public sealed class DiagnosticCommandsTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task SemValue_NeverCreated_PrintsMissingAndExitsOne()
    {
        var result = await _sandbox.RunAsync("sem-value", $"{_sandbox.Prefix}-router-r1");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Lines.Should().Equal("MISSING");
        File.Exists($"/dev/shm/sem.{_sandbox.Prefix}-router-r1").Should().BeFalse("sem-value creates nothing");
    }

    [Fact]
    public async Task SemValue_AfterRegister_PrintsOneWithOrWithoutLeadingSlash()
    {
        (await _sandbox.RunAsync("register", "h1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01")).ExitCode.Should().Be(0);

        (await _sandbox.RunAsync("sem-value", $"{_sandbox.Prefix}-hosts-registry")).Lines.Should().Equal("1");
        (await _sandbox.RunAsync("sem-value", $"/{_sandbox.Prefix}-hosts-registry")).Lines.Should().Equal("1");
    }
}
