using System.Diagnostics;
using Tsim.Registry.IntegrationTests.Cli;

namespace Tsim.Registry.IntegrationTests.Hardening;

/// <summary>
/// A FIFO in place of <c>hosts.json</c>: every command that reads the file fails at once, naming the file and what it
/// is. Before, open(2) for reading blocked until some process wrote to the FIFO: the command hung for ever (and a
/// writer hung holding the hosts lock).
/// </summary>
public sealed class NonRegularRegistryFileTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Theory]
    [InlineData("hosts")]
    [InlineData("register", "web-2", "10.0.0.11/24", "r1", "02:00:00:00:00:0b")]
    public async Task Command_FifoInPlaceOfHostsFile_FailsNamingItInsteadOfHanging(params string[] command)
    {
        (await _sandbox.RunAsync("register", "web-1", "10.0.0.10/24", "r1", "02:00:00:00:00:0a")).ExitCode.Should().Be(0);
        var hosts = Path.Combine(_sandbox.RegistryDirectory, "hosts.json");
        File.Delete(hosts);
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [hosts]) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync();
            mkfifo.ExitCode.Should().Be(0);
        }

        // CliProcess gives up after 60 s (a cold start on a loaded machine takes seconds); the refusal itself is at once.
        var result = await _sandbox.RunAsync(command);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Stderr.Should().StartWith("ERROR RegistryException: ").And.Contain($"'{hosts}' is not a regular file (a FIFO)");
    }
}
