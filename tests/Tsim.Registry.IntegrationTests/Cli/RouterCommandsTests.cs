using System.Globalization;
using System.Text.Json;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>
/// Router subcommands across processes. A holder is a <c>lock --hold -1</c> process: the test waits for its
/// <c>ACQUIRED</c> line, acts, then writes a line to its stdin to release; no sleeps.
/// </summary>
public sealed class RouterCommandsTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Lock_HeldUntilStdinLine_OtherProcessesSeeHolderUntilReleased()
    {
        var holder = _sandbox.Start("lock", "r1", "job-a", "--hold", "-1");
        var acquired = await holder.ReadLineAsync();
        acquired.Should().MatchRegex("^ACQUIRED [0-9]+$");

        (await _sandbox.RunAsync("is-locked", "r1")).Lines.Should().Equal("true");
        var owner = await _sandbox.RunAsync("owner", "r1");
        owner.ExitCode.Should().Be(0, owner.ToString());
        var record = JsonDocument.Parse(owner.Stdout).RootElement;
        record.GetProperty("router").GetString().Should().Be("r1");
        record.GetProperty("job_id").GetString().Should().Be("job-a");
        record.GetProperty("pid").GetInt32().Should().Be(holder.Pid);
        (await _sandbox.RunAsync("sem-value", $"{_sandbox.Prefix}-router-r1")).Lines.Should().Equal("0");

        await holder.WriteLineAsync("release");
        var released = await holder.ReadLineAsync();
        var run = await holder.CompleteAsync();

        run.ExitCode.Should().Be(0, run.ToString());
        released.Should().MatchRegex("^RELEASED [0-9]+$");
        long.Parse(released!.Split(' ')[1], CultureInfo.InvariantCulture)
            .Should().BeGreaterThan(long.Parse(acquired!.Split(' ')[1], CultureInfo.InvariantCulture));
        (await _sandbox.RunAsync("is-locked", "r1")).Lines.Should().Equal("false");
        (await _sandbox.RunAsync("sem-value", $"{_sandbox.Prefix}-router-r1")).Lines.Should().Equal("1");
    }

    [Fact]
    public async Task Lock_HoldUntilEndOfInput_ReleasesOnEof()
    {
        var holder = _sandbox.Start("lock", "r1", "job-a", "--hold", "-1");
        (await holder.ReadLineAsync()).Should().StartWith("ACQUIRED ");

        holder.CloseInput();
        var run = await holder.CompleteAsync();

        run.ExitCode.Should().Be(0, run.ToString());
        run.Lines.Should().ContainSingle().Which.Should().StartWith("RELEASED ");
    }

    [Fact]
    public async Task Lock_SigtermDuringHold_ReleasesBeforeExiting()
    {
        var holder = _sandbox.Start("lock", "r1", "job-a", "--hold", "-1");
        (await holder.ReadLineAsync()).Should().StartWith("ACQUIRED ");

        await holder.TerminateAsync();
        var run = await holder.CompleteAsync();

        run.ExitCode.Should().Be(0, run.ToString());
        run.Lines.Should().ContainSingle().Which.Should().StartWith("RELEASED ");
        (await _sandbox.RunAsync("sem-value", $"{_sandbox.Prefix}-router-r1")).Lines.Should().Equal("1");
        (await _sandbox.RunAsync("owner", "r1")).Lines.Should().Equal("null");
    }

    [Fact]
    public async Task TryLock_WhileAnotherProcessHolds_PrintsTimeoutAndExitsOne()
    {
        var holder = _sandbox.Start("lock", "r1", "job-a", "--hold", "-1");
        (await holder.ReadLineAsync()).Should().StartWith("ACQUIRED ");

        var result = await _sandbox.RunAsync("trylock", "r1", "job-b");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Lines.Should().Equal("TIMEOUT");
    }

    [Fact]
    public async Task TryLock_FreeRouter_AcquiresAndReleasesAtOnce()
    {
        var result = await _sandbox.RunAsync("trylock", "r1", "job-a");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().HaveCount(2);
        result.Lines[0].Should().MatchRegex("^ACQUIRED [0-9]+$");
        result.Lines[1].Should().MatchRegex("^RELEASED [0-9]+$");
        (await _sandbox.RunAsync("is-locked", "r1")).Lines.Should().Equal("false");
    }

    [Fact]
    public async Task WaitRouter_HolderReleases_PrintsFree()
    {
        var holder = _sandbox.Start("lock", "r1", "job-a", "--hold", "-1");
        (await holder.ReadLineAsync()).Should().StartWith("ACQUIRED ");
        var waiter = _sandbox.Start("wait-router", "r1", "--timeout", "60");

        // The waiter may or may not have started waiting yet; either way it must answer FREE once the lock is free.
        await holder.WriteLineAsync("release");
        (await holder.CompleteAsync()).ExitCode.Should().Be(0);
        var result = await waiter.CompleteAsync();

        result.ExitCode.Should().Be(0, result.ToString());
        result.Lines.Should().ContainSingle().Which.Should().MatchRegex(@"^FREE [0-9]+\.[0-9]+$");
    }

    [Fact]
    public async Task WaitRouter_HeldPastTimeout_PrintsTimeoutWithElapsedSeconds()
    {
        var holder = _sandbox.Start("lock", "r1", "job-a", "--hold", "-1");
        (await holder.ReadLineAsync()).Should().StartWith("ACQUIRED ");

        var result = await _sandbox.RunAsync("wait-router", "r1", "--timeout", "0.2");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Lines.Should().ContainSingle().Which.Should().MatchRegex(@"^TIMEOUT [0-9]+\.[0-9]{1,6}$");
        double.Parse(result.Lines[0].Split(' ')[1], CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(0.2);
    }

    [Fact]
    public async Task Release_FreshProcess_PrintsNotHeldAndLeavesTheHolderAlone()
    {
        var holder = _sandbox.Start("lock", "r1", "job-a", "--hold", "-1");
        (await holder.ReadLineAsync()).Should().StartWith("ACQUIRED ");

        var result = await _sandbox.RunAsync("release", "r1", "job-a");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Lines.Should().Equal("NOT_HELD");
        (await _sandbox.RunAsync("is-locked", "r1")).Lines.Should().Equal("true");
    }

    [Fact]
    public async Task Owner_FreeRouter_PrintsNullAndExitsOne()
    {
        var result = await _sandbox.RunAsync("owner", "r1");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Lines.Should().Equal("null");
    }

    [Fact]
    public async Task LockAll_OneRouterHeld_TimesOutAndHoldsNone()
    {
        var holder = _sandbox.Start("lock", "r2", "job-a", "--hold", "-1");
        (await holder.ReadLineAsync()).Should().StartWith("ACQUIRED ");

        var result = await _sandbox.RunAsync("lock-all", "r1,r2", "job-b", "--timeout", "0.2");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Lines.Should().Equal("TIMEOUT");
        (await _sandbox.RunAsync("is-locked", "r1")).Lines.Should().Equal(["false"], "all or nothing");
    }

    [Fact]
    public async Task LockAll_FreeRouters_HoldsAllUntilStdinLine()
    {
        var holder = _sandbox.Start("lock-all", "r2,r1", "job-a", "--hold", "-1");
        (await holder.ReadLineAsync()).Should().StartWith("ACQUIRED ");

        (await _sandbox.RunAsync("is-locked", "r1")).Lines.Should().Equal("true");
        (await _sandbox.RunAsync("is-locked", "r2")).Lines.Should().Equal("true");
        await holder.WriteLineAsync("release");
        var run = await holder.CompleteAsync();

        run.ExitCode.Should().Be(0, run.ToString());
        run.Lines.Should().ContainSingle().Which.Should().StartWith("RELEASED ");
        (await _sandbox.RunAsync("is-locked", "r2")).Lines.Should().Equal("false");
    }
}
