using System.Text.Json.Nodes;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Tsim.Registry.IntegrationTests.Interop;

namespace Tsim.Registry.IntegrationTests.TsimHost;

/// <summary>
/// A tsim host as it runs: tsim's processes as one user (<see cref="TsimHostSandbox.TsimUid"/>) creating the 2775
/// directories of its group, and the C# side as another member of that group (<see cref="TsimHostSandbox.MemberUid"/>)
/// or as root, each through <c>setpriv</c>. Root bypasses permission checks, so what a member may do is proven by the
/// member's own processes; root's runs prove what the library chooses not to do (re-mode a directory it did not create).
/// </summary>
[Collection(PythonInterop.Name)]
public sealed class TsimHostMultiUserTests : IDisposable
{
    private const int Error = 2;
    private static readonly int s_tsimDirectoryMode = Convert.ToInt32("2775", 8);
    private static readonly int s_groupFileMode = Convert.ToInt32("660", 8);

    private readonly TsimHostSandbox _host = new();

    public void Dispose() => _host.Dispose();

    [MultiUserFact]
    public async Task GroupMode_OnDirectoriesTsimCreated2775_MemberAndRootJoin_WithoutEverReModingThem()
    {
        const int Tsim = TsimHostSandbox.TsimUid;
        const int Member = TsimHostSandbox.MemberUid;
        (await _host.RunTsimAsAsync(Tsim, "002", "register", "t1", "10.70.0.1/24", "r1", "02:f0:00:00:00:01")).Lines.Should().Equal("REGISTERED");
        ExpectTsimsDirectories("as tsim created them");

        // A member of the group registers, reads, locks and leases.
        Expect(await _host.RunCliAsAsync(Member, "register", "m1", "10.70.0.2/24", "r1", "02:f0:00:00:00:02"), "REGISTERED");
        (await _host.RunCliAsAsync(Member, "host-info", "t1")).Lines.Single().Should().Contain("10.70.0.1/24");
        (await _host.RunTsimAsAsync(Tsim, "002", "host-info", "m1")).Lines.Single().Should().Contain("10.70.0.2/24");

        var memberLock = _host.StartCliAs(Member, "lock", "r1", "m-job", "--hold", "-1");
        (await memberLock.ReadLineAsync()).Should().StartWith("ACQUIRED", memberLock.Stderr);
        (await _host.RunTsimAsAsync(Tsim, "002", "trylock", "r1", "t-job", "--timeout", "0.3")).Lines.Should().Equal("TIMEOUT");
        (await _host.RunTsimAsAsync(Tsim, "002", "is-locked", "r1")).Lines.Should().Equal("true");
        memberLock.SendLine("release");
        (await memberLock.ReadLineAsync()).Should().StartWith("RELEASED", memberLock.Stderr);
        (await memberLock.CompleteAsync()).ExitCode.Should().Be(0);

        var tsimLock = _host.StartTsimAs(Tsim, "002", "lock", "r1", "t-job", "--hold", "-1");
        await tsimLock.ExpectAsync("ACQUIRED");
        (await _host.RunCliAsAsync(Member, "trylock", "r1", "m-job", "--timeout", "0.3")).Lines.Should().Equal("TIMEOUT");
        tsimLock.SendLine("release");
        await tsimLock.ExpectAsync("RELEASED");
        (await _host.RunCliAsAsync(Member, "trylock", "r1", "m-job")).First.Should().StartWith("ACQUIRED");

        (await _host.RunTsimAsAsync(Tsim, "002", "lease-acquire", "t-run", "t1", "r1")).Lines.Should().Equal("1");
        Expect(await _host.RunCliAsAsync(Member, "lease-acquire", "m-run", "t1", "r1"), "2");
        Expect(await _host.RunCliAsAsync(Member, "neighbor-acquire", "m-run", "t1", "10.70.0.9"), "1");
        (await _host.RunTsimAsAsync(Tsim, "002", "neighbor-acquire", "t-run", "t1", "10.70.0.9")).Lines.Should().Equal("2");
        Release(await _host.RunTsimAsAsync(Tsim, "002", "lease-release", "t-run", "t1")).Should().Be((1, false));
        Release(await _host.RunCliAsAsync(Member, "lease-release", "m-run", "t1")).Should().Be((0, true));
        Release(await _host.RunCliAsAsync(Member, "neighbor-release", "m-run", "t1", "10.70.0.9")).Should().Be((1, false));
        Release(await _host.RunTsimAsAsync(Tsim, "002", "neighbor-release", "t-run", "t1", "10.70.0.9")).Should().Be((0, true));

        // Root could re-mode the directories (a member cannot): it must not either.
        Expect(await _host.RunCliAsync("register", "root1", "10.70.0.3/24", "r2", "02:f0:00:00:00:03"), "REGISTERED");
        (await _host.RunCliAsync("trylock", "r2", "root-job")).First.Should().StartWith("ACQUIRED");
        ExpectTsimsDirectories("group mode never changes a directory it did not create");

        // Every side sees every host.
        string[] all = ["m1", "root1", "t1"];
        JsonNode.Parse((await _host.RunTsimAsAsync(Tsim, "002", "hosts")).Stdout)!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(all);
        JsonNode.Parse((await _host.RunCliAsAsync(Member, "hosts")).Stdout)!.AsObject().Select(p => p.Key).Should().BeEquivalentTo(all);

        // Whoever wrote them, the registry's files, lock files and semaphores are the group's and the group may write them.
        foreach (var path in Directory.EnumerateFiles(_host.DataDirectory).Concat(Directory.EnumerateFiles(_host.LockDirectory)).Concat(Directory.EnumerateFiles("/dev/shm", "sem.tsim-*")))
        {
            var status = PathStatus.Of(path);
            status.Gid.Should().Be((uint)TsimHostSandbox.GroupId, $"{path}: {status}");
            (status.Permissions & Convert.ToInt32("060", 8)).Should().Be(Convert.ToInt32("060", 8), $"{path}: {status}");
        }

        ExpectTsimsDirectories("after everything");
    }

    [MultiUserFact]
    public async Task GroupMode_RegistryAMemberCreated2770_TsimJoinsIt_AndItsChmodAtStartFailsHarmlessly()
    {
        const int Tsim = TsimHostSandbox.TsimUid;
        const int Member = TsimHostSandbox.MemberUid;
        Expect(await _host.RunCliAsAsync(Member, "register", "m1", "10.73.0.1/24", "r1", "02:f3:00:00:00:01"), "REGISTERED");
        var groupDirectory = new PathStatus(Member, TsimHostSandbox.GroupId, Convert.ToInt32("2770", 8));
        PathStatus.Of(_host.DataDirectory).Should().Be(groupDirectory, "group mode creates its directories 2770 of the group");
        PathStatus.Of(_host.LockDirectory).Should().Be(groupDirectory);

        // tsim's start sets both to 2775, which only their owner may do: it fails, tsim carries on, the group suffices.
        (await _host.RunTsimAsAsync(Tsim, "002", "register", "t1", "10.73.0.2/24", "r1", "02:f3:00:00:00:02")).Lines.Should().Equal("REGISTERED");
        (await _host.RunTsimAsAsync(Tsim, "002", "lease-acquire", "t-run", "m1", "r1")).Lines.Should().Equal("1");
        (await _host.RunTsimAsAsync(Tsim, "002", "trylock", "r1", "t-job")).First.Should().StartWith("ACQUIRED");
        Expect(await _host.RunCliAsAsync(Member, "lease-acquire", "m-run", "m1", "r1"), "2");
        (await _host.RunCliAsAsync(Member, "trylock", "r1", "m-job")).First.Should().StartWith("ACQUIRED");
        Expect(await _host.RunCliAsync("register", "root1", "10.73.0.3/24", "r1", "02:f3:00:00:00:03"), "REGISTERED");

        PathStatus.Of(_host.DataDirectory).Should().Be(groupDirectory, "nobody but its owner changes a directory");
        PathStatus.Of(_host.LockDirectory).Should().Be(groupDirectory);
        JsonNode.Parse((await _host.RunTsimAsAsync(Tsim, "002", "hosts")).Stdout)!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("m1", "root1", "t1");
    }

    [MultiUserFact]
    public async Task SemaphoreTsimCreatedUnderUmask022_CannotBeUsedByAnotherMember_TheErrorNamesItAndTheFix_AndUnderUmask002ItWorks()
    {
        const int Tsim = TsimHostSandbox.TsimUid;
        const int Member = TsimHostSandbox.MemberUid;
        (await _host.RunTsimAsAsync(Tsim, "022", "register", "t1", "10.71.0.1/24", "r1", "02:f1:00:00:00:01")).Lines.Should().Equal("REGISTERED");
        const string HostsSemaphore = "/dev/shm/sem.tsim-hosts-registry";
        var semaphore = PathStatus.Of(HostsSemaphore);
        semaphore.Should().Be(new PathStatus(Tsim, TsimHostSandbox.GroupId, Convert.ToInt32("640", 8)), "umask 022 takes the group's write bit from the 0660 tsim asks for");

        var refused = await _host.RunCliAsAsync(Member, "register", "m1", "10.71.0.2/24", "r1", "02:f1:00:00:00:02");
        refused.ExitCode.Should().Be(Error, refused.ToString());
        refused.Stderr.Should().Contain(HostsSemaphore).And.Contain("0640").And.Contain("umask 002").And.Contain($"chmod 660 {HostsSemaphore}");
        JsonNode.Parse(File.ReadAllText(_host.DataPath("host_registry.json")))!.AsObject().Select(p => p.Key).Should().Equal("t1");

        // tsim under umask 002 (after the old semaphores are removed while nothing uses them): the member gets in.
        TsimSemaphoreCleanup.UnlinkTsimSemaphores();
        (await _host.RunTsimAsAsync(Tsim, "002", "register", "t2", "10.71.0.3/24", "r1", "02:f1:00:00:00:03")).Lines.Should().Equal("REGISTERED");
        PathStatus.Of(HostsSemaphore).Should().Be(new PathStatus(Tsim, TsimHostSandbox.GroupId, s_groupFileMode));
        Expect(await _host.RunCliAsAsync(Member, "register", "m1", "10.71.0.2/24", "r1", "02:f1:00:00:00:02"), "REGISTERED");

        // A router tsim took under umask 022: its semaphore 0640 and its notify file 0644. The member is told, the
        // owner applies the fix the message gives, and then the member locks it and replaces the notify file it may not touch.
        (await _host.RunTsimAsAsync(Tsim, "022", "trylock", "r2", "t-job")).First.Should().StartWith("ACQUIRED");
        const string RouterSemaphore = "/dev/shm/sem.tsim-router-r2";
        var notify = Path.Combine(_host.LockDirectory, "router_r2_notify");
        PathStatus.Of(notify).Should().Be(new PathStatus(Tsim, TsimHostSandbox.GroupId, Convert.ToInt32("644", 8)));
        var routerRefused = await _host.RunCliAsAsync(Member, "trylock", "r2", "m-job");
        routerRefused.ExitCode.Should().Be(Error, routerRefused.ToString());
        routerRefused.Stderr.Should().Contain(RouterSemaphore).And.Contain("umask 002").And.Contain($"chmod 660 {RouterSemaphore}");

        File.SetUnixFileMode(RouterSemaphore, (UnixFileMode)s_groupFileMode);
        (await _host.RunCliAsAsync(Member, "trylock", "r2", "m-job")).First.Should().StartWith("ACQUIRED");
        PathStatus.Of(notify).Should().Be(
            new PathStatus(TsimHostSandbox.MemberUid, TsimHostSandbox.GroupId, s_groupFileMode), "a notify file the member may not touch is replaced by one of the group's");
        (await _host.RunTsimAsAsync(Tsim, "022", "trylock", "r2", "t-job")).First.Should().StartWith("ACQUIRED", "tsim touches the group's notify file");
    }

    [MultiUserFact]
    public async Task PrivateMode_OnTsimsDirectoryOfAnotherUser_IsRefusedWithAMessageThatSuggestsTheGroup()
    {
        (await _host.RunTsimAsAsync(TsimHostSandbox.TsimUid, "002", "register", "t1", "10.72.0.1/24", "r1", "02:f2:00:00:00:01")).Lines.Should().Equal("REGISTERED");
        var before = File.ReadAllText(_host.DataPath("host_registry.json"));

        var asRoot = await Cli.CliSandbox.RunRawAsync("--config", _host.ConfigPath, "register", "p1", "10.72.0.2/24", "r1", "02:f2:00:00:00:02");
        var asMember = await _host.RunCliRawAsAsync(TsimHostSandbox.MemberUid, "--config", _host.ConfigPath, "register", "p2", "10.72.0.3/24", "r1", "02:f2:00:00:00:03");
        foreach (var (result, uid) in new[] { (asRoot, 0), (asMember, TsimHostSandbox.MemberUid) })
        {
            result.ExitCode.Should().Be(Error, result.ToString());
            result.Lines.Should().BeEmpty();
            result.Stderr.Should().Contain($"'{_host.DataDirectory}' is owned by uid {TsimHostSandbox.TsimUid}, not by this user (uid {uid})")
                .And.Contain($"It looks like a registry shared by gid {TsimHostSandbox.GroupId}: configure that group (group");
        }

        File.ReadAllText(_host.DataPath("host_registry.json")).Should().Be(before, "nothing is written");
        ExpectTsimsDirectories("a refusal changes nothing");
        Directory.EnumerateFiles("/dev/shm", "sem.tsim-*").Select(Path.GetFileName).Should().Equal(["sem.tsim-hosts-registry"], "only tsim's own semaphore exists");
    }

    private void ExpectTsimsDirectories(string because)
    {
        foreach (var directory in new[] { _host.DataDirectory, _host.LockDirectory })
        {
            PathStatus.Of(directory).Should().Be(new PathStatus(TsimHostSandbox.TsimUid, TsimHostSandbox.GroupId, s_tsimDirectoryMode), $"{directory}: {because}");
        }
    }

    private static void Expect(ProcessRun run, string line)
    {
        run.ExitCode.Should().Be(0, run.ToString());
        run.Lines.Should().Equal(line);
    }

    private static (int RefCount, bool ShouldDelete) Release(ProcessRun run)
    {
        run.ExitCode.Should().Be(0, run.ToString());
        var json = JsonNode.Parse(run.Lines.Single())!;
        return (json["ref_count"]!.GetValue<int>(), json["should_delete"]!.GetValue<bool>());
    }
}
