using System.Diagnostics;
using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary><see cref="LeaseOwner"/>: a running, visible process of this pid namespace, identified by its start time.</summary>
public sealed class LeaseOwnerTests
{
    private const string Remedy = "Use --pid.";

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void FromProcessId_NotAPid_ThrowsArgumentOutOfRangeNamingProcessId(int processId)
    {
        FluentActions.Invoking(() => LeaseOwner.FromProcessId(processId))
            .Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("processId");
    }

    [Fact]
    public void FromProcessId_NoSuchProcess_ThrowsArgumentExceptionNamingProcessId()
    {
        // Above the kernel's pid_max limit (at most 2^22), so no process can have it.
        FluentActions.Invoking(() => LeaseOwner.FromProcessId(int.MaxValue))
            .Should().Throw<ArgumentException>().WithMessage("No process 2147483647 exists.*").Which.ParamName.Should().Be("processId");
    }

    [Fact]
    public void FromProcessId_RunningChild_RecordsItsStartTimeInOurNamespace()
    {
        using var child = Process.Start("sleep", "300");
        try
        {
            var owner = LeaseOwner.FromProcessId(child.Id);

            owner.ProcessId.Should().Be(child.Id);
            owner.Identity.Should().Be(new ProcessIdentity(child.Id, ProcFileSystem.Default.ReadStat(child.Id)!.Value.StartTime, ProcessIdentity.Current.PidNamespace));
            owner.ToString().Should().Be($"pid {child.Id} (start time {owner.Identity.StartTime}, {ProcessIdentity.Current.PidNamespace})");
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
    }

    [Fact]
    public void FromProcessId_ThisProcess_IsFromCurrentProcess()
    {
        LeaseOwner.FromProcessId(Environment.ProcessId).Identity.Should().Be(ProcessIdentity.Current);
        LeaseOwner.FromCurrentProcess().Identity.Should().Be(ProcessIdentity.Current);
    }

    [Fact]
    public void FromProcessId_Zombie_ThrowsArgumentException()
    {
        using var proc = new FakeProc();
        proc.AddProcess(42, 1000, 'Z');

        FluentActions.Invoking(() => LeaseOwner.FromProcessId(42, proc.Create()))
            .Should().Throw<ArgumentException>().WithMessage("Process 42 has exited*").Which.ParamName.Should().Be("processId");
    }

    [Fact]
    public void FromProcessId_HiddenByHidepid_ThrowsArgumentException()
    {
        using var proc = new FakeProc();
        proc.AddProcess(42, 1000);
        proc.RemoveProcess(42, kernelSays: true);

        FluentActions.Invoking(() => LeaseOwner.FromProcessId(42, proc.Create()))
            .Should().Throw<ArgumentException>().WithMessage("Process 42 is not visible in /proc*");
    }

    [Fact]
    public void FromProcessId_AnotherTimeNamespace_ThrowsArgumentException()
    {
        using var proc = new FakeProc();
        proc.AddProcess(42, 1000, timeNamespace: FakeProc.OtherTimeNamespace);

        FluentActions.Invoking(() => LeaseOwner.FromProcessId(42, proc.Create()))
            .Should().Throw<ArgumentException>().WithMessage("*another time namespace*");
    }

    [Fact]
    public void FromProcessId_ProcOfAnAncestorPidNamespace_ThrowsRegistryException_ButThisProcessStillWorks()
    {
        using var proc = new FakeProc(selfPid: 100, selfStartTime: 5000, mountPid: 714);
        proc.AddProcess(42, 1000);

        FluentActions.Invoking(() => LeaseOwner.FromProcessId(42, proc.Create()))
            .Should().Throw<RegistryException>().WithMessage("*not of its own pid namespace*");
        LeaseOwner.FromProcessId(100, proc.Create()).Identity.Should().Be(new ProcessIdentity(100, 5000, FakeProc.OurPidNamespace));
    }

    [Fact]
    public void FromParentProcess_Running_RecordsIt()
    {
        using var proc = new FakeProc();
        proc.AddProcess(42, 1000);

        LeaseOwner.FromParentProcess(proc.Create(), 42, Remedy).Identity.Should().Be(new ProcessIdentity(42, 1000, FakeProc.OurPidNamespace));
    }

    [Fact]
    public void FromParentProcess_OutsideOurPidNamespace_ThrowsRegistryExceptionWithTheRemedy()
    {
        using var proc = new FakeProc();

        FluentActions.Invoking(() => LeaseOwner.FromParentProcess(proc.Create(), 0, Remedy))
            .Should().Throw<RegistryException>().WithMessage("*outside its pid namespace*Use --pid.");
    }

    [Fact]
    public void FromParentProcess_Gone_ThrowsRegistryExceptionWithTheRemedy()
    {
        using var proc = new FakeProc();

        FluentActions.Invoking(() => LeaseOwner.FromParentProcess(proc.Create(), 42, Remedy))
            .Should().Throw<RegistryException>().WithMessage("The process that started this one cannot own the lease: No process 42 exists. Use --pid.");
    }
}
