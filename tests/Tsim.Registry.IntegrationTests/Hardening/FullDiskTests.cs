using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Hardening;

/// <summary>
/// A write that fails half way (a full disk, simulated with RLIMIT_FSIZE in a worker process) leaves the previous
/// registry file intact, leaves no temp file behind, and raises <see cref="RegistryException"/>.
/// </summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly RegistryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Register_WriteFailsHalfWay_PreviousFileIntactNoTempFileRegistryException()
    {
        var manager = _fixture.CreateManager();
        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue();
        var hostsPath = _fixture.PathOf("hosts.json");
        var before = File.ReadAllBytes(hostsPath);

        // 4 KiB of file, 64 KiB of document: the temp file's write stops part way with EFBIG.
        using var worker = _fixture.StartWorker("register-limited", "4096", "65536");

        (await worker.ExpectAsync("raised")).Should().Equal(["RegistryException"], worker.Stderr);
        (await worker.WaitForExitAsync()).Should().Be(1);
        worker.Stderr.Should().Contain("Could not write registry file").And.Contain("File too large");
        File.ReadAllBytes(hostsPath).Should().Equal(before, "the previous file is replaced only by a complete one");
        Directory.EnumerateFiles(_fixture.Directory, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty("the partial temp file is removed");
        manager.ListAllHosts().Keys.Should().Equal("web-1");
        manager.CheckAndRegisterHost("web-2", "10.0.0.2", "r1", "02:00:00:00:00:02").Should().BeTrue("the registry lock was released on the way out");
    }

    [Fact]
    public async Task Register_UnderTheLimit_Succeeds()
    {
        // The same worker with room enough: the limit, not the command, is what fails above.
        using var worker = _fixture.StartWorker("register-limited", "1048576", "65536");

        await worker.ExpectAsync("registered");
        (await worker.WaitForExitAsync()).Should().Be(0);
        _fixture.CreateManager().GetHostInfo("big").Should().NotBeNull();
    }
}
