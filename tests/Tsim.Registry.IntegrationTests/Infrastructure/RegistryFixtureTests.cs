
namespace Tsim.Registry.IntegrationTests.Infrastructure;

/// <summary>The fixture leaves nothing behind: the suite must not fill /dev/shm or /tmp.</summary>
public sealed class RegistryFixtureTests
{
    [Fact]
    public async Task Dispose_AfterWorkersAndManagersUsedTheRegistry_RemovesSemaphoresDirectoryAndProcesses()
    {
        var fixture = new RegistryFixture();
        fixture.Prefix.Should().MatchRegex("^tmpreg[0-9a-f]{16}$", "the registry is a TemporaryRegistry's");
        fixture.Directory.Should().Be(Path.Combine(fixture.Registry.Directory, "registry")).And.StartWith("/dev/shm/" + fixture.Prefix + ".");

        var manager = fixture.CreateManager();
        manager.CheckAndRegisterHost("h1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();
        var holder = fixture.StartWorker("lock", "r1", "detailed-1");
        await holder.ExpectAsync("acquired");
        fixture.SemaphoreFiles().Should().Contain(f => f.EndsWith("-router-r1", StringComparison.Ordinal));
        var pid = holder.Pid;

        fixture.Dispose();

        fixture.SemaphoreFiles().Should().BeEmpty();
        File.Exists(fixture.BindingPath).Should().BeFalse();
        Directory.Exists(fixture.Registry.Directory).Should().BeFalse();
        Directory.Exists($"/proc/{pid}").Should().BeFalse("a worker still running at the end is killed and reaped");
    }
}
