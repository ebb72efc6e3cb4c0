namespace Tsim.Registry.Tests.Locking;

public sealed class ProcessIdentityTests
{
    [Fact]
    public void Current_IsThisProcessWithItsStartTime()
    {
        var current = ProcessIdentity.Current;

        current.Pid.Should().Be(Environment.ProcessId);
        current.StartTime.Should().BePositive();
        current.StartTime.Should().Be(ProcessIdentity.ReadStartTime(Environment.ProcessId));
        current.PidNamespace.Should().MatchRegex(@"^pid:\[\d+\]$");
    }

    [Fact]
    public void ReadStartTime_NoSuchProcess_ReturnsNull()
    {
        // Above the kernel's pid_max limit (at most 2^22), so no process can have it.
        ProcessIdentity.ReadStartTime(int.MaxValue).Should().BeNull();
    }

    [Fact]
    public void ReadStartTime_Init_IsBeforeThisProcess()
    {
        var init = ProcessIdentity.ReadStartTime(1);

        init.Should().NotBeNull();
        init!.Value.Should().BeLessThanOrEqualTo(ProcessIdentity.Current.StartTime);
    }
}
