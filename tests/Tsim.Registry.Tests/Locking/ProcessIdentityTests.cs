using Tsim.Registry.Locking;

namespace Tsim.Registry.Tests.Locking;

public sealed class ProcessIdentityTests
{
    [Fact]
    public void Current_IsThisProcessWithItsStartTime()
    {
        var current = ProcessIdentity.Current;

        current.Pid.Should().Be(Environment.ProcessId);
        current.StartTime.Should().BePositive();
        current.StartTime.Should().Be(ProcessIdentity.ReadStat(Environment.ProcessId)!.Value.StartTime);
        current.PidNamespace.Should().MatchRegex(@"^pid:\[\d+\]$");
    }

    [Fact]
    public void ReadStat_NoSuchProcess_ReturnsNull()
    {
        // Above the kernel's pid_max limit (at most 2^22), so no process can have it.
        ProcessIdentity.ReadStat(int.MaxValue).Should().BeNull();
    }

    [Fact]
    public void ReadStat_Init_IsRunningAndStartedBeforeThisProcess()
    {
        var init = ProcessIdentity.ReadStat(1);

        init.Should().NotBeNull();
        init!.Value.State.Should().NotBe('Z');
        init.Value.StartTime.Should().BeLessThanOrEqualTo(ProcessIdentity.Current.StartTime);
    }
}
