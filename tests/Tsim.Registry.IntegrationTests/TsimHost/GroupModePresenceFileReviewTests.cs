using Tsim.Registry.IntegrationTests.Interop;

namespace Tsim.Registry.IntegrationTests.TsimHost;

/// <summary>
/// Review of the presence-file lock files in group mode: a member's router lock file is a link of that member's presence
/// file (its owner and mode); another member must still recover the router when the holder is SIGKILLed, remove the lock
/// file and the dead member's presence file, and Python must then see the router free.
/// </summary>
[Collection(PythonInterop.Name)]
public sealed class GroupModePresenceFileReviewTests : IDisposable
{
    private readonly TsimHostSandbox _host = new();

    public void Dispose() => _host.Dispose();

    [MultiUserFact]
    public async Task MemberHolderKilled_OtherMemberRecoversIt_LockFileAndDeadPresenceFileRemoved_PythonSeesItFree()
    {
        const int Tsim = TsimHostSandbox.TsimUid;
        const int Member = TsimHostSandbox.MemberUid;
        (await _host.RunTsimAsAsync(Tsim, "002", "register", "t1", "10.70.0.1/24", "r1", "02:f0:00:00:00:01")).Lines.Should().Equal("REGISTERED");

        var memberLock = _host.StartCliAs(Member, "lock", "r1", "m-job", "--hold", "-1");
        (await memberLock.ReadLineAsync()).Should().StartWith("ACQUIRED", memberLock.Stderr);
        var lockFile = Path.Combine(_host.LockDirectory, "tsim-router-r1");
        PathStatus.Of(lockFile).Uid.Should().Be((uint)Member);
        (await _host.RunTsimAsAsync(Tsim, "002", "is-locked", "r1")).Lines.Should().Equal("true");
        await memberLock.KillAsync();
        (await _host.RunTsimAsAsync(Tsim, "002", "is-locked", "r1")).Lines.Should().Equal(["true"], "a killed holder's lock file stays until recovered");

        // The other member (the tsim user, running the C# CLI) recovers it.
        var other = _host.StartCliAs(Tsim, "lock", "r1", "t-job", "--hold", "-1", "--timeout", "10");
        (await other.ReadLineAsync()).Should().StartWith("ACQUIRED", other.Stderr);
        PathStatus.Of(lockFile).Uid.Should().Be((uint)Tsim, "now a link of the recoverer's presence file");
        Directory.GetFiles(_host.LockDirectory, ".presence-*").Select(p => PathStatus.Of(p).Uid).Should().Equal([(uint)Tsim], "the killed member's presence file was swept");
        other.SendLine("release");
        (await other.ReadLineAsync()).Should().StartWith("RELEASED", other.Stderr);
        (await other.CompleteAsync()).ExitCode.Should().Be(0);

        File.Exists(lockFile).Should().BeFalse();
        (await _host.RunTsimAsAsync(Tsim, "002", "is-locked", "r1")).Lines.Should().Equal("false");
    }
}
