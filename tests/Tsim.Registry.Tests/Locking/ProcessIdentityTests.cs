using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

public sealed class ProcessIdentityTests
{
    [Fact]
    public void Current_IsThisProcessWithItsStartTime()
    {
        var current = ProcessIdentity.Current;

        current.Pid.Should().Be(Environment.ProcessId);
        current.StartTime.Should().BePositive();
        current.StartTime.Should().Be(ProcFileSystem.Default.ReadStat(Environment.ProcessId)!.Value.StartTime);
        current.PidNamespace.Should().MatchRegex(@"^pid:\[\d+\]$");
    }

    [Fact]
    public void OfSelf_ProcOfAnotherPidNamespace_ReadsOurOwnStatNotThatOfTheMountsPidOfOurNumber()
    {
        // We are 100 in our namespace and 714 in the mount's; the mount's 100 is some other process.
        using var proc = new FakeProc(selfPid: 100, selfStartTime: 999, mountPid: 714);
        proc.AddProcess(100, startTime: 7);

        var identity = ProcessIdentity.OfSelf(proc.Create());

        identity.Should().Be(new ProcessIdentity(100, 999, FakeProc.OurPidNamespace));
    }

    [Fact]
    public void OfSelf_StartTimeUnreadable_Throws()
    {
        using var proc = new FakeProc();
        File.Delete(Path.Combine(proc.Root, "self"));

        FluentActions.Invoking(() => ProcessIdentity.OfSelf(proc.Create()))
            .Should().Throw<RegistryException>().WithMessage("*start time*");
    }

    [Fact]
    public void ParentPid_IsTheTestHostsParent()
    {
        var status = File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("PPid:", StringComparison.Ordinal));

        ProcessIdentity.ParentPid().Should().Be(int.Parse(status["PPid:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }
}
