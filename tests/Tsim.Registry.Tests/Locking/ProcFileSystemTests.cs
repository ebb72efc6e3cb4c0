using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary>
/// <see cref="ProcFileSystem"/>: whether pids and start times read in a <c>/proc</c> can be compared with recorded
/// ones (docs/ARCHITECTURE.md, "Crash safety", Liveness). The real <c>/proc</c> for this process, a
/// <see cref="FakeProc"/> for the namespaces a test machine does not have.
/// </summary>
public sealed class ProcFileSystemTests : IDisposable
{
    private readonly FakeProc _proc = new();

    public void Dispose() => _proc.Dispose();

    [Fact]
    public void Default_ThisProcess_CanJudgePidsOfItsNamespace()
    {
        var proc = ProcFileSystem.Default;

        proc.SelfPid.Should().Be(Environment.ProcessId);
        proc.PidNamespace.Should().MatchRegex(@"^pid:\[\d+\]$");
        proc.IsOfOwnPidNamespace.Should().BeTrue("the test host's /proc is of its own pid namespace");
        proc.CanJudgePids.Should().BeTrue();
    }

    [Fact]
    public void ReadStat_NoSuchProcess_ReturnsNull()
    {
        // Above the kernel's pid_max limit (at most 2^22), so no process can have it.
        ProcFileSystem.Default.ReadStat(int.MaxValue).Should().BeNull();
    }

    [Fact]
    public void ReadStat_Init_IsRunningAndStartedBeforeThisProcess()
    {
        var init = ProcFileSystem.Default.ReadStat(1);

        init.Should().NotBeNull();
        init!.Value.State.Should().NotBe('Z');
        init.Value.StartTime.Should().BeLessThanOrEqualTo(ProcessIdentity.Current.StartTime);
    }

    [Fact]
    public void ReadStat_CommandNameWithParenthesesAndSpaces_ReadsStateAndStartTime()
    {
        _proc.AddProcess(42, startTime: 123456, state: 'R');

        _proc.Create().ReadStat(42).Should().Be(('R', 123456L));
    }

    [Fact]
    public void IsOfOwnPidNamespace_NSpidListsOnlyOurPid_True()
    {
        var proc = _proc.Create();

        proc.IsOfOwnPidNamespace.Should().BeTrue();
        proc.PidNamespace.Should().Be(FakeProc.OurPidNamespace);
        proc.CanJudgePids.Should().BeTrue();
    }

    [Fact]
    public void IsOfOwnPidNamespace_MountOfAnAncestorNamespace_False()
    {
        // nsenter --pid, unshare --pid without --mount-proc, a container given the host's /proc: the mount's
        // namespace calls us 714, ours calls us 100.
        using var ancestors = new FakeProc(selfPid: 100, mountPid: 714);

        var proc = ancestors.Create();

        proc.IsOfOwnPidNamespace.Should().BeFalse();
        proc.CanJudgePids.Should().BeFalse();
    }

    [Fact]
    public void IsOfOwnPidNamespace_AncestorNamespaceGaveUsTheSamePid_StillFalse()
    {
        _proc.SetNsPid(_proc.SelfPid, _proc.SelfPid);

        _proc.Create().IsOfOwnPidNamespace.Should().BeFalse("a pid that happens to be equal in both namespaces proves nothing");
    }

    [Fact]
    public void IsOfOwnPidNamespace_KernelWithoutNSpid_ComparesTheSelfLink()
    {
        File.WriteAllText(Path.Combine(_proc.Root, "100", "status"), "Name:\tfake\nPid:\t100\n");
        _proc.Create().IsOfOwnPidNamespace.Should().BeTrue();

        using var ancestors = new FakeProc(selfPid: 100, mountPid: 714);
        File.WriteAllText(Path.Combine(ancestors.Root, "714", "status"), "Name:\tfake\nPid:\t714\n");
        ancestors.Create().IsOfOwnPidNamespace.Should().BeFalse();
    }

    [Fact]
    public void NoProcAtAll_NothingCanBeJudged()
    {
        var proc = new ProcFileSystem(Path.Combine(_proc.Root, "missing"), 100, _ => true);

        proc.PidNamespace.Should().BeEmpty();
        proc.IsOfOwnPidNamespace.Should().BeFalse();
        proc.CanJudgePids.Should().BeFalse();
        proc.ReadSelfStat().Should().BeNull();
    }

    [Fact]
    public void StartTimeIsComparable_SameTimeNamespace_True_AnotherOne_False()
    {
        _proc.AddProcess(42, 1000);
        _proc.AddProcess(43, 1000, timeNamespace: FakeProc.OtherTimeNamespace);

        var proc = _proc.Create();

        proc.StartTimeIsComparable(42).Should().BeTrue();
        proc.StartTimeIsComparable(43).Should().BeFalse();
    }

    [Fact]
    public void StartTimeIsComparable_KernelWithoutTimeNamespaces_AlwaysTrue()
    {
        _proc.Unlink(_proc.SelfPid, "ns/time");
        _proc.AddProcess(42, 1000, timeNamespace: null);

        var proc = _proc.Create();

        proc.TimeNamespace.Should().BeNull();
        proc.StartTimeIsComparable(42).Should().BeTrue();
    }

    [Fact]
    public void StartTimeIsComparable_TheirsUnreadable_TrustedOnlyFromTheInitialTimeNamespace()
    {
        _proc.AddProcess(42, 1000, timeNamespace: null); // Another user's process: its links are not readable.
        _proc.Create().StartTimeIsComparable(42).Should().BeTrue("zero offsets read start times as the initial namespace does");

        _proc.SetBoottimeOffset(100_000);
        var offset = _proc.Create();
        offset.IsInInitialTimeNamespace.Should().BeFalse();
        offset.StartTimeIsComparable(42).Should().BeFalse();
    }

    [Fact]
    public void IsInInitialTimeNamespace_InitInAnotherOne_False()
    {
        _proc.AddProcess(1, 1, timeNamespace: FakeProc.OtherTimeNamespace);

        _proc.Create().IsInInitialTimeNamespace.Should().BeFalse();
    }

    [Fact]
    public void IsInInitialTimeNamespace_ChildrenGoToAnotherOne_FalseSinceTheOffsetsAreTheirs()
    {
        _proc.Link(_proc.SelfPid, "ns/time_for_children", FakeProc.OtherTimeNamespace);

        _proc.Create().IsInInitialTimeNamespace.Should().BeFalse();
    }

    [Fact]
    public void IsInInitialTimeNamespace_OffsetsUnreadable_False()
    {
        File.Delete(Path.Combine(_proc.Root, "100", "timens_offsets"));

        _proc.Create().IsInInitialTimeNamespace.Should().BeFalse();
    }
}
