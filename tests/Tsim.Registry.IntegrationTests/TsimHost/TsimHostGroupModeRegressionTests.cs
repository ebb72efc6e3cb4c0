using System.Text.Json.Nodes;
using Tsim.Registry.IntegrationTests.Interop;

namespace Tsim.Registry.IntegrationTests.TsimHost;

/// <summary>
/// Group-mode defects found while testing against a tsim host, kept as regression tests: each failed before its fix.
/// </summary>
[Collection(PythonInterop.Name)]
public sealed class TsimHostGroupModeRegressionTests : IDisposable
{
    private const int Error = 2;

    private readonly TsimHostSandbox _host = new();

    public void Dispose() => _host.Dispose();

    /// <summary>
    /// Missing parents of the registry directory used to be created 0750 (the umask) of the creator's primary group,
    /// so other members of the group could not enter them and tsim failed with EACCES on its own data_dir. They are
    /// created in the group's shape now.
    /// </summary>
    [MultiUserFact]
    public async Task GroupMode_MissingParentsOfDataDir_CreatedByAMember_LetTheOtherMembersIn()
    {
        var dataDirectory = Path.Combine(_host.Root, "deep", "er", "tsim");
        var config = _host.WriteConfig("deep.json", dataDirectory, Path.Combine(dataDirectory, "locks"));

        var member = await _host.RunCliRawAsAsync(TsimHostSandbox.MemberUid, "--config", config, "--group", TsimHostSandbox.Group, "register", "m1", "10.74.0.1/24", "r1", "02:f4:00:00:00:01");
        member.ExitCode.Should().Be(0, member.ToString());
        var parents = $"deep: {PathStatus.Of(Path.Combine(_host.Root, "deep"))}, deep/er: {PathStatus.Of(Path.Combine(_host.Root, "deep", "er"))}";

        var tsim = await _host.RunTsimWithConfigAsAsync(TsimHostSandbox.TsimUid, "002", config, "register", "t1", "10.74.0.2/24", "r1", "02:f4:00:00:00:02");
        tsim.Lines.Should().Equal(["REGISTERED"], $"tsim, a member of the group, must reach the registry a member created ({parents}); {tsim}");
    }

    /// <summary>
    /// A member's process as root (a root service, an operator with sudo) in group mode, on the semaphore tsim created
    /// under umask 022 (0640 of the group): root can open it, so the EACCES explanation never runs. It used to be
    /// refused as untrusted, with advice to remove the semaphore tsim is using; a semaphore of the group narrower than
    /// 0660 is accepted now (the umask/chmod explanation would be right too).
    /// </summary>
    [MultiUserFact]
    public async Task GroupMode_AsRoot_OnASemaphoreTsimCreatedUnderUmask022_IsAcceptedOrExplainedAsUmask()
    {
        (await _host.RunTsimAsAsync(TsimHostSandbox.TsimUid, "022", "register", "t1", "10.75.0.1/24", "r1", "02:f5:00:00:00:01")).Lines.Should().Equal("REGISTERED");
        PathStatus.Of("/dev/shm/sem.tsim-hosts-registry").Permissions.Should().Be(Convert.ToInt32("640", 8));

        var root = await _host.RunCliAsync("register", "root1", "10.75.0.2/24", "r1", "02:f5:00:00:00:02");
        if (root.ExitCode != 0)
        {
            root.ExitCode.Should().Be(Error, root.ToString());
            root.Stderr.Should().Contain("umask 002").And.Contain("chmod 660 /dev/shm/sem.tsim-hosts-registry").And.NotContain("rm /dev/shm/sem.tsim-hosts-registry");
        }
        else
        {
            JsonNode.Parse((await _host.RunTsimAsAsync(TsimHostSandbox.TsimUid, "002", "hosts")).Stdout)!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("t1", "root1");
        }
    }
}
