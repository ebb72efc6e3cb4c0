using Tsim.Registry.Locking;

namespace Tsim.Registry.Tests;

public sealed class NameRulesTests
{
    public static TheoryData<string> ValidNames => new()
    {
        "a",
        "router-1",
        "R1.edge_2-x",
        "9lives",
        new string('n', NameRules.MaxNameLength),
    };

    public static TheoryData<string, string> InvalidNames => new()
    {
        { string.Empty, "must not be empty" },
        { ".", "must start with an ASCII letter or digit" },
        { "..", "must start with an ASCII letter or digit" },
        { "-r1", "must start with an ASCII letter or digit" },
        { "_r1", "must start with an ASCII letter or digit" },
        { "../etc", "may only contain" },
        { "a/b", "may only contain" },
        { "a b", "may only contain" },
        { "a:b", "may only contain" },
        { "a\0b", "may only contain" },
        { "caf\u00e9", "may only contain" },
        { new string('n', NameRules.MaxNameLength + 1), "must be at most" },
    };

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void ThrowIfInvalidName_ValidName_DoesNotThrow(string name)
    {
        var act = () => NameRules.ThrowIfInvalidName(name, "routerName");

        act.Should().NotThrow();
    }

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public void ThrowIfInvalidName_InvalidName_ThrowsNamingParameterAndRule(string name, string rule)
    {
        var act = () => NameRules.ThrowIfInvalidName(name, "routerName");

        act.Should().Throw<ArgumentException>()
            .WithParameterName("routerName")
            .WithMessage($"routerName {rule}*");
    }

    [Fact]
    public void ThrowIfInvalidName_ControlCharacter_MessageShowsItAsQuestionMark()
    {
        var act = () => NameRules.ThrowIfInvalidName("a\nb", "hostName");

        act.Should().Throw<ArgumentException>().WithMessage("*(got 'a?b')*");
    }

    [Fact]
    public void ThrowIfInvalidName_Null_ThrowsArgumentNullException()
    {
        var act = () => NameRules.ThrowIfInvalidName(null!, "hostName");

        act.Should().Throw<ArgumentNullException>().WithParameterName("hostName");
    }

    [Fact]
    public void MaxNameLength_LongestNameWithLongestPrefix_EveryDerivedFileFitsNameMax()
    {
        // The semaphore file alone (sem.NAME) left 211 characters, but the recovery guard .NAME.recovery is 6 longer.
        var longest = LockName.Router(new string('p', RegistryManagerOptions.MaxSemaphorePrefixLength), new string('n', NameRules.MaxNameLength));

        ("sem." + longest.Value).Length.Should().BeLessThanOrEqualTo(255);
        longest.SlotFileName.Length.Should().BeLessThanOrEqualTo(255);
        longest.RecoveryGuardFileName.Length.Should().BeLessThanOrEqualTo(255);
        LockName.NotifyFileName(new string('n', NameRules.MaxNameLength)).Length.Should().BeLessThanOrEqualTo(255);
    }

    [Theory]
    [InlineData("job-1")]
    [InlineData("run:2026-11-26T14:43:11")]
    [InlineData("user@host+x=y")]
    public void ThrowIfInvalidId_ValidId_DoesNotThrow(string id)
    {
        var act = () => NameRules.ThrowIfInvalidId(id, "jobId");

        act.Should().NotThrow();
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("a/b", "may only contain")]
    [InlineData("a b", "may only contain")]
    [InlineData("a\"b", "may only contain")]
    public void ThrowIfInvalidId_InvalidId_ThrowsNamingParameterAndRule(string id, string rule)
    {
        var act = () => NameRules.ThrowIfInvalidId(id, "jobId");

        act.Should().Throw<ArgumentException>().WithParameterName("jobId").WithMessage($"jobId {rule}*");
    }

    [Fact]
    public void ThrowIfInvalidId_TooLong_Throws()
    {
        var act = () => NameRules.ThrowIfInvalidId(new string('j', NameRules.MaxIdLength + 1), "runId");

        act.Should().Throw<ArgumentException>().WithParameterName("runId").WithMessage("runId must be at most*");
    }

    [Fact]
    public void SortedDistinctRouterNames_DuplicatesAndMixedCase_ReturnsDistinctInOrdinalOrder()
    {
        var sorted = NameRules.SortedDistinctRouterNames(["r9", "b", "B", "r10", "a", "b", "r9"], "routerNames");

        sorted.Should().Equal("B", "a", "b", "r10", "r9");
    }

    [Fact]
    public void SortedDistinctRouterNames_Empty_Throws()
    {
        var act = () => NameRules.SortedDistinctRouterNames([], "routerNames");

        act.Should().Throw<ArgumentException>().WithParameterName("routerNames").WithMessage("routerNames must name at least one router*");
    }

    [Fact]
    public void SortedDistinctRouterNames_OneInvalid_ThrowsNamingList()
    {
        var act = () => NameRules.SortedDistinctRouterNames(["r1", "r/2"], "routerNames");

        act.Should().Throw<ArgumentException>().WithParameterName("routerNames").WithMessage("*(got 'r/2')*");
    }
}
