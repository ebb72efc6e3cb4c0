using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Hardening;

/// <summary>
/// A file size limit below one page (RLIMIT_FSIZE, in a worker process): the owner record slot of the hosts lock
/// cannot be grown to 4 KiB. The documented outcome of a file that cannot be written is <see cref="RegistryException"/>
/// (OwnerRecordSlot.Open promises it for a slot that cannot be opened or mapped); the registration records and
/// documents only small files here, so it could also simply succeed. What must not escape is another exception type.
/// </summary>
public sealed class SlotFileSizeLimitTests : IDisposable
{
    private readonly RegistryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Register_FileSizeLimitBelowOnePage_RegistersOrRaisesRegistryException()
    {
        using var worker = _fixture.StartWorker("register-limited", "1024", "16");

        var line = await worker.ReadLineAsync();
        await worker.WaitForExitAsync();

        line.Should().BeOneOf(["registered", "raised RegistryException"], worker.Stderr);
    }
}
