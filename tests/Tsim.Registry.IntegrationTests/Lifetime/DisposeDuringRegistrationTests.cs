using System.Globalization;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.Lifetime;

/// <summary>
/// Disposing a manager while another thread of it is between reading a registry file and writing it back: the
/// registry lock must not be posted under that write, or another process takes it, writes, and one of the two
/// writes overwrites the other, losing a registration that was reported as done.
/// </summary>
public sealed class DisposeDuringRegistrationTests : IDisposable
{
    private const int Trials = 40;

    private readonly RegistryFixture _registry = new();
    private readonly ITestOutputHelper _output;

    public DisposeDuringRegistrationTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task Dispose_WhileAnotherThreadRegistersHosts_NoRegistrationReportedByEitherProcessIsLost()
    {
        var writer = _registry.StartWorker("register-until-stop", "8000000");
        var disposer = _registry.StartWorker("register-then-dispose", Number(Trials), "0", "--max-delay-us", "2000");
        await writer.ExpectAsync("ready");
        await disposer.ExpectAsync("ready");
        writer.SendLine("go");
        disposer.SendLine("go");

        var reported = new HashSet<string>(StringComparer.Ordinal);
        var lost = new HashSet<string>(StringComparer.Ordinal);
        var errors = new List<string>();
        var overlapped = 0;
        var trialsWithLoss = 0;
        var reader = _registry.CreateManager();
        for (var trial = 0; trial < Trials; trial++)
        {
            while (true)
            {
                var line = await disposer.ReadLineAsync(TimeSpan.FromSeconds(60));
                if (line.StartsWith("registered ", StringComparison.Ordinal))
                {
                    reported.Add(line["registered ".Length..]);
                }
                else if (line.StartsWith("error ", StringComparison.Ordinal))
                {
                    errors.Add(line);
                }
                else
                {
                    line.Should().Be($"trial {Number(trial)} {(line.EndsWith("overlapped", StringComparison.Ordinal) ? "overlapped" : "clean")}");
                    overlapped += line.EndsWith("overlapped", StringComparison.Ordinal) ? 1 : 0;
                    break;
                }
            }

            // Everything either process has reported so far must be in hosts.json now, or stay lost; a write that
            // overwrites one of them later is still caught by the check at the end.
            while (writer.TryReadPrintedLine() is { } line)
            {
                reported.Add(line.Split(' ')[1]);
            }

            var hosts = reader.ListAllHosts();
            var newlyLost = reported.Where(h => !hosts.ContainsKey(h) && lost.Add(h)).Count();
            trialsWithLoss += newlyLost > 0 ? 1 : 0;
            disposer.SendLine("next");
        }

        await disposer.ExpectAsync("done");
        writer.SendLine("stop");
        while (await writer.ReadLineAsync() is var line && !line.StartsWith("done", StringComparison.Ordinal))
        {
            reported.Add(line.Split(' ')[1]);
        }

        (await disposer.WaitForExitAsync()).Should().Be(0, disposer.Stderr);
        (await writer.WaitForExitAsync()).Should().Be(0, writer.Stderr);

        var final = reader.ListAllHosts();
        lost.UnionWith(reported.Where(h => !final.ContainsKey(h)));
        _output.WriteLine(
            $"{overlapped} of {Trials} trials disposed mid-call; {trialsWithLoss} trials lost registrations, {lost.Count} in all; {reported.Count} registrations reported");
        errors.Should().BeEmpty();
        overlapped.Should().BeGreaterThan(0, "some disposals must land while a registration is in flight, or this test proves nothing");
        lost.Should().BeEmpty(
            $"every registration reported true must be in hosts.json; {trialsWithLoss} of {Trials} trials lost registrations, {lost.Count} in all " +
            $"({overlapped} trials disposed mid-call, {reported.Count} registrations reported)");
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
