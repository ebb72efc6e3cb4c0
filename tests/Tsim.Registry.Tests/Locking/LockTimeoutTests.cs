using Tsim.Registry.Locking;

namespace Tsim.Registry.Tests.Locking;

public sealed class LockTimeoutTests
{
    [Fact]
    public void From_Null_UsesConfiguredDefaultSeconds()
    {
        var timeout = LockTimeout.From(null, 5.0, "timeout");

        timeout.Milliseconds.Should().Be(5000);
        timeout.TimeSpan.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void From_Zero_IsTryOnceNotRounded()
    {
        var timeout = LockTimeout.From(TimeSpan.Zero, 30.0, "timeout");

        timeout.IsZero.Should().BeTrue();
        timeout.Milliseconds.Should().Be(0);
    }

    [Fact]
    public void From_SubMillisecond_RoundsUpToOneMillisecond()
    {
        var timeout = LockTimeout.From(TimeSpan.FromTicks(10), 30.0, "timeout");

        timeout.IsZero.Should().BeFalse();
        timeout.Milliseconds.Should().Be(1);
    }

    [Fact]
    public void From_InfiniteTimeSpan_IsInfinite()
    {
        var timeout = LockTimeout.From(Timeout.InfiniteTimeSpan, 30.0, "timeout");

        timeout.IsInfinite.Should().BeTrue();
        timeout.TimeSpan.Should().Be(Timeout.InfiniteTimeSpan);
        timeout.ToString().Should().Be("infinite");
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(-1000)]
    public void From_Negative_ThrowsArgumentOutOfRangeWithNameAndRange(int milliseconds)
    {
        var act = () => LockTimeout.From(TimeSpan.FromMilliseconds(milliseconds), 30.0, "timeout");

        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("timeout")
            .WithMessage("timeout must be between 00:00:00 and 24.20:31:23.6470000, or Timeout.InfiniteTimeSpan (got -*");
    }

    [Fact]
    public void From_AboveIntMaxMilliseconds_Throws()
    {
        var act = () => LockTimeout.From(TimeSpan.FromDays(25), 30.0, "timeout");

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timeout");
    }

    [Fact]
    public void FromSeconds_Fraction_RoundsUpToMilliseconds()
    {
        LockTimeout.FromSeconds(0.0015).Milliseconds.Should().Be(2);
        LockTimeout.FromSeconds(0).IsZero.Should().BeTrue();
    }

    [Fact]
    public void Remaining_InfiniteAndZero_StayAsTheyAre()
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();

        LockTimeout.Infinite.Remaining(start).IsInfinite.Should().BeTrue();
        LockTimeout.Zero.Remaining(start).IsZero.Should().BeTrue();
    }

    [Fact]
    public void Remaining_LongAgoStart_IsZeroNotNegative()
    {
        var longAgo = System.Diagnostics.Stopwatch.GetTimestamp() - (System.Diagnostics.Stopwatch.Frequency * 10);

        LockTimeout.FromSeconds(1).Remaining(longAgo).Milliseconds.Should().Be(0);
    }

    [Fact]
    public void Remaining_JustStarted_IsAtMostTheTimeout()
    {
        var remaining = LockTimeout.FromSeconds(60).Remaining(System.Diagnostics.Stopwatch.GetTimestamp());

        remaining.Milliseconds.Should().BeInRange(50_000, 60_000);
    }

    [Fact]
    public void ToString_Finite_IsConstantFormat()
    {
        LockTimeout.FromSeconds(5).ToString().Should().Be("00:00:05");
    }
}
