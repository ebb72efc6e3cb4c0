using System.Diagnostics;
using Tsim.Registry.Testing;
using Xunit;

namespace JobRunner.Tests;

// A child process joins the registry through a configuration file: here the tsim-registry command (its --config);
// a .NET program reads the same file with RegistryManagerOptions.FromJsonFile or AddTsimRegistry.
public sealed class ChildProcessTests : IDisposable
{
    private readonly TemporaryRegistry _registry = new();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task Child_SeesTheRouterThisProcessHolds()
    {
        using var scope = _registry.Manager.RouterLock("router-1", "job-1");
        var config = _registry.WriteConfigurationFile();

        var command = Environment.GetEnvironmentVariable("TSIM_REGISTRY_COMMAND") ?? "tsim-registry";
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true };
        foreach (var argument in new[] { "--config", config, "is-locked", "router-1" })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();

        Assert.Equal("true", output.Trim());
    }
}
