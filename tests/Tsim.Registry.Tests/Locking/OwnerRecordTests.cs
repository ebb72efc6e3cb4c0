using Tsim.Registry.Locking;

namespace Tsim.Registry.Tests.Locking;

/// <summary><see cref="OwnerRecord.IsSameHoldAs"/>: the one comparison recovery uses to re-check a record under its guard.</summary>
public sealed class OwnerRecordTests
{
    public static TheoryData<string> Fields => new() { "pid", "start_time", "pid_namespace", "job_id", "acquired_at" };

    [Fact]
    public void IsSameHoldAs_EqualFields_IsTheSameHoldEvenWithAnotherLockSpellingOrExtraFields()
    {
        var other = Record();
        other.Lock = "spelled differently";
        other.Extra = new() { ["note"] = default };

        Record().IsSameHoldAs(other).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void IsSameHoldAs_OneFieldDiffers_IsAnotherHold(string field)
    {
        var other = Record();
        switch (field)
        {
            case "pid":
                other.Pid++;
                break;
            case "start_time":
                other.StartTime++;
                break;
            case "pid_namespace":
                other.PidNamespace = "pid:[4026531837]";
                break;
            case "job_id":
                other.JobId = "JOB-1";
                break;
            default:
                other.AcquiredAt = other.AcquiredAt.AddTicks(1);
                break;
        }

        Record().IsSameHoldAs(other).Should().BeFalse();
        other.IsSameHoldAs(Record()).Should().BeFalse();
    }

    private static OwnerRecord Record() => new()
    {
        Lock = "ut01-router-r1",
        JobId = "job-1",
        Pid = 4242,
        StartTime = 123456,
        PidNamespace = "pid:[4026531836]",
        AcquiredAt = new DateTimeOffset(2026, 11, 26, 14, 43, 11, TimeSpan.Zero),
    };
}
