using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary>
/// <see cref="OwnerLivenessCheck"/> on a <see cref="FakeProc"/>: only a proven death is <see cref="OwnerLiveness.Dead"/>,
/// and a <c>/proc</c> of another pid namespace, another time namespace, or a lease of another pid namespace never is.
/// </summary>
public sealed class OwnerLivenessCheckTests : IDisposable
{
    private const int Owner = 42;
    private const long OwnerStart = 1000;

    private readonly FakeProc _proc = new();

    public void Dispose() => _proc.Dispose();

    [Fact]
    public void Check_SamePidStartTimeAndNamespace_Alive()
    {
        _proc.AddProcess(Owner, OwnerStart);

        Check().Should().Be(OwnerLiveness.Alive);
    }

    [Fact]
    public void Check_PidGone_Dead()
    {
        Check().Should().Be(OwnerLiveness.Dead, "the kernel says ESRCH");
    }

    [Fact]
    public void Check_StatHiddenButTheKernelKnowsThePid_Unknown()
    {
        _proc.AddProcess(Owner, OwnerStart);
        _proc.RemoveProcess(Owner, kernelSays: true); // hidepid: EPERM from kill, no /proc entry.

        Check().Should().Be(OwnerLiveness.Unknown);
    }

    [Fact]
    public void Check_PidReusedInOurTimeNamespace_Dead()
    {
        _proc.AddProcess(Owner, OwnerStart + 1);

        Check().Should().Be(OwnerLiveness.Dead);
    }

    [Theory]
    [InlineData('Z', 1, true)]
    [InlineData('X', 1, true)]
    [InlineData('Z', 2, false)]
    public void Check_ZombieOrDead_DeadUnlessOtherThreadsRun(char state, int threads, bool dead)
    {
        _proc.AddProcess(Owner, OwnerStart, state, threads: threads);

        Check().Should().Be(dead ? OwnerLiveness.Dead : OwnerLiveness.Alive);
    }

    [Fact]
    public void Check_RecordOfAnotherPidNamespace_Unknown()
    {
        OwnerLivenessCheck.Check(Owner, OwnerStart, "pid:[1]", _proc.Create()).Should().Be(OwnerLiveness.Unknown);
    }

    [Fact]
    public void Check_ProcOfAnAncestorPidNamespace_NeverDead()
    {
        // Our pid 42 is a live owner; /proc/42 of the mount's namespace is another process, or none.
        using var ancestors = new FakeProc(selfPid: 100, mountPid: 714);
        ancestors.AddProcess(Owner, OwnerStart + 99);
        ancestors.AddProcess(Owner + 1, OwnerStart, 'Z');
        var proc = ancestors.Create();

        OwnerLivenessCheck.Check(Owner, OwnerStart, FakeProc.OurPidNamespace, proc).Should().Be(OwnerLiveness.Unknown, "the start time read is another process's");
        OwnerLivenessCheck.Check(Owner + 1, OwnerStart, FakeProc.OurPidNamespace, proc).Should().Be(OwnerLiveness.Unknown, "the zombie is another process");
        OwnerLivenessCheck.Check(Owner + 2, OwnerStart, FakeProc.OurPidNamespace, proc).Should().Be(OwnerLiveness.Unknown);
        OwnerLivenessCheck.CheckPidOnly(Owner + 1, proc).Should().Be(OwnerLiveness.Unknown);
        OwnerLivenessCheck.CheckLease(Owner, OwnerStart, FakeProc.OurPidNamespace, proc).Should().Be(OwnerLiveness.Unknown);
    }

    [Fact]
    public void Check_NoProc_NeverDead()
    {
        var proc = new ProcFileSystem(Path.Combine(_proc.Root, "missing"), 100, _ => false);

        OwnerLivenessCheck.Check(Owner, OwnerStart, FakeProc.OurPidNamespace, proc).Should().Be(OwnerLiveness.Unknown);
        OwnerLivenessCheck.CheckPidOnly(Owner, proc).Should().Be(OwnerLiveness.Unknown);
    }

    [Fact]
    public void Check_OwnerInAnotherTimeNamespace_StartTimeMismatchIsUnknown()
    {
        // The owner recorded its start time with its namespace's boot time offset; we read it with ours.
        _proc.AddProcess(Owner, OwnerStart + 10_000_000, timeNamespace: FakeProc.OtherTimeNamespace);

        Check().Should().Be(OwnerLiveness.Unknown);
    }

    [Fact]
    public void Check_OwnerInAnotherTimeNamespace_SameStartTime_Alive()
    {
        _proc.AddProcess(Owner, OwnerStart, timeNamespace: FakeProc.OtherTimeNamespace);

        Check().Should().Be(OwnerLiveness.Alive);
    }

    [Fact]
    public void Check_OwnersTimeNamespaceUnreadable_DeadOnlyFromTheInitialTimeNamespace()
    {
        _proc.AddProcess(Owner, OwnerStart + 1, timeNamespace: null);
        Check().Should().Be(OwnerLiveness.Dead);

        _proc.SetBoottimeOffset(100_000);
        Check().Should().Be(OwnerLiveness.Unknown, "a judge whose boot time is offset cannot compare with an owner it cannot place");
    }

    [Fact]
    public void CheckLease_AnotherPidNamespaceWithoutStartTime_Unknown_NotJudgedByBarePid()
    {
        // The pid is gone here, but it numbers a process of another namespace.
        OwnerLivenessCheck.CheckLease(Owner, null, "pid:[1]", _proc.Create()).Should().Be(OwnerLiveness.Unknown);
    }

    [Fact]
    public void CheckLease_OurNamespaceWithoutStartTime_JudgedByPid()
    {
        var proc = _proc.Create();
        OwnerLivenessCheck.CheckLease(Owner, null, FakeProc.OurPidNamespace, proc).Should().Be(OwnerLiveness.Dead);

        _proc.AddProcess(Owner, OwnerStart + 1);
        OwnerLivenessCheck.CheckLease(Owner, null, FakeProc.OurPidNamespace, proc).Should().Be(OwnerLiveness.Alive, "without a start time a reused pid counts as alive");
    }

    [Fact]
    public void CheckLease_PythonBarePid_DeadWhenGone_AliveWhileAnyProcessHasIt()
    {
        var proc = _proc.Create();
        OwnerLivenessCheck.CheckLease(Owner, null, null, proc).Should().Be(OwnerLiveness.Dead);

        _proc.AddProcess(Owner, OwnerStart + 1);
        OwnerLivenessCheck.CheckLease(Owner, null, null, proc).Should().Be(OwnerLiveness.Alive);
    }

    [Fact]
    public void CheckLease_CSharpLease_JudgedLikeAnOwnerRecord()
    {
        _proc.AddProcess(Owner, OwnerStart + 1);

        OwnerLivenessCheck.CheckLease(Owner, OwnerStart, FakeProc.OurPidNamespace, _proc.Create()).Should().Be(OwnerLiveness.Dead);
    }

    private OwnerLiveness Check() => OwnerLivenessCheck.Check(Owner, OwnerStart, FakeProc.OurPidNamespace, _proc.Create());
}
