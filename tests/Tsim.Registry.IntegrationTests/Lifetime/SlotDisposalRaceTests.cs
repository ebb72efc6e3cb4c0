using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Lifetime;

/// <summary>
/// Disposing a manager while other threads of the process still call it: the calls may throw
/// <see cref="ObjectDisposedException"/>, but the process must survive. With owner record slots (mapped pages), a
/// Dispose that unmaps a slot under a thread reading it kills the process with SIGSEGV; this runs in a worker so
/// that such a crash fails this test instead of the test host.
/// </summary>
public sealed class SlotDisposalRaceTests : IDisposable
{
    private readonly RegistryFixture _registry = new();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task Dispose_WhileOtherThreadsReadRouterOwners_TheProcessSurvives()
    {
        var worker = _registry.StartWorker("dispose-race", "r1", "200", "--no-shared-with-python");

        string line;
        try
        {
            line = await worker.ReadLineAsync(TimeSpan.FromSeconds(60));
        }
        catch (InvalidOperationException ex)
        {
            // Output ended without a line: the process died (exit 134 = SIGABRT after an AccessViolationException).
            throw new InvalidOperationException(
                "The worker died while managers were disposed under threads reading owner records (OwnerRecordSlot unmapped while read). " + ex.Message,
                ex);
        }

        line.Should().StartWith("survived ");
        (await worker.WaitForExitAsync()).Should().Be(0, $"stderr:\n{worker.Stderr}");
    }
}
