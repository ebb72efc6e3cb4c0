using Tsim.Registry.Locking;

namespace Tsim.Registry.Tests.Locking;

public sealed class LockNameTests
{
    public static TheoryData<string> EveryKindOfLock => new() { "hosts-registry", "host-leases", "neighbor-leases", "router-r1" };

    [Fact]
    public void RegistryLocks_HaveSpecificationNamesUnderPrefix()
    {
        LockName.HostsRegistry("tsim").SemaphoreName.Should().Be("/tsim-hosts-registry");
        LockName.HostLeases("tsim").SemaphoreName.Should().Be("/tsim-host-leases");
        LockName.NeighborLeases("tsim").SemaphoreName.Should().Be("/tsim-neighbor-leases");
        LockName.HostsRegistry("ut01").IsRouter.Should().BeFalse();
        LockName.HostsRegistry("ut01").RouterName.Should().BeNull();
    }

    [Fact]
    public void Router_NamesRouterUnderPrefix()
    {
        var name = LockName.Router("ut01", "router-1");

        name.Value.Should().Be("ut01-router-router-1");
        name.SemaphoreName.Should().Be("/ut01-router-router-1");
        name.RouterName.Should().Be("router-1");
        name.IsRouter.Should().BeTrue();
        name.ToString().Should().Be("ut01-router-router-1");
    }

    [Fact]
    public void Equality_SameNames_AreEqual()
    {
        LockName.Router("p", "r").Should().Be(LockName.Router("p", "r"));
        LockName.Router("p", "r").Should().NotBe(LockName.Router("p", "s"));
    }

    [Fact]
    public void FileNames_FollowTheCompatibilityContractAndGlibc()
    {
        var router = LockName.Router("tsim", "r1");
        var hosts = LockName.HostsRegistry("tsim");

        router.SemaphoreFilePath.Should().Be("/dev/shm/sem.tsim-router-r1");
        router.OwnerRecordFileName.Should().Be("tsim-router-r1");
        router.SlotFileName.Should().Be(".tsim-router-r1.owner");
        router.RecoveryGuardFileName.Should().Be(".tsim-router-r1.recovery");
        LockName.NotifyFileName("r1").Should().Be("router_r1_notify");
        hosts.SemaphoreFilePath.Should().Be("/dev/shm/sem.tsim-hosts-registry");
        hosts.SlotFileName.Should().Be(".tsim-hosts-registry.owner");
        hosts.RecoveryGuardFileName.Should().Be(".tsim-hosts-registry.recovery");
    }

    [Theory]
    [MemberData(nameof(EveryKindOfLock))]
    public void TryParse_WhatValueSpells_GivesTheSameLockBack(string suffix)
    {
        var name = Lock("ut01", suffix);

        LockName.TryParse("ut01", name.Value, out var parsed).Should().BeTrue();

        parsed.Should().Be(name);
        parsed.RouterName.Should().Be(name.RouterName);
    }

    [Theory]
    [InlineData("/ut01-hosts-registry")]
    [InlineData("other-hosts-registry")]
    [InlineData("ut01-hosts-registry ")]
    [InlineData("ut01-router-")]
    [InlineData("ut01-router")]
    [InlineData("ut02-router-r1")]
    [InlineData("ut0-router-r1")]
    [InlineData("router-r1")]
    [InlineData("r1")]
    [InlineData("")]
    public void TryParse_NotALockOfThisPrefix_ReturnsFalse(string text)
    {
        LockName.TryParse("ut01", text, out var parsed).Should().BeFalse();

        parsed.Should().Be(default(LockName));
    }

    [Theory]
    [MemberData(nameof(NameRulesTests.ValidNames), MemberType = typeof(NameRulesTests))]
    public void TryParse_RouterNameNameRulesAccepts_IsARouterLock(string routerName)
    {
        LockName.TryParse("ut01", "ut01-router-" + routerName, out var parsed).Should().BeTrue();

        parsed.Should().Be(LockName.Router("ut01", routerName));
    }

    [Theory]
    [MemberData(nameof(NameRulesTests.InvalidNames), MemberType = typeof(NameRulesTests))]
    public void Parse_RouterNameNameRulesRejects_IsRejectedWithNameRulesMessage(string routerName, string rule)
    {
        LockName.TryParse("ut01", "ut01-router-" + routerName, out _).Should().BeFalse();
        var act = () => LockName.Parse("ut01", "ut01-router-" + routerName, "lockName");

        // The empty router name ("ut01-router-") is no router lock at all, so it gets the general message.
        act.Should().Throw<ArgumentException>()
            .WithParameterName("lockName")
            .WithMessage(routerName.Length == 0 ? "lockName must be a lock of this registry*" : $"lockName {rule}*");
    }

    [Fact]
    public void Parse_NotALockOfThisRegistry_ListsTheLocksItCouldBe()
    {
        var act = () => LockName.Parse("ut01", "other-hosts-registry", "lockName");

        act.Should().Throw<ArgumentException>()
            .WithParameterName("lockName")
            .WithMessage("lockName must be a lock of this registry: ut01-hosts-registry, ut01-host-leases, ut01-neighbor-leases or ut01-router-NAME (got 'other-hosts-registry').*");
    }

    [Theory]
    [InlineData("ut01-router-r1", "r1")]
    [InlineData(".ut01-router-r1.owner", "r1")]
    [InlineData("router_r1_notify", "r1")]
    [InlineData("ut01-router-router_x_notify", "router_x_notify")]
    [InlineData("router_ut01-router-r2_notify", "ut01-router-r2")]
    [InlineData("ut01-router-_python", "_python")]
    public void TryParseRouterFileName_FileOfARouter_GivesTheRouter(string fileName, string router)
    {
        LockName.TryParseRouterFileName("ut01", fileName, out var parsed).Should().BeTrue();

        parsed.Should().Be(router);
    }

    [Theory]
    [InlineData(".ut01-router-r1.recovery")]
    [InlineData("ut01-router-r1.1234.0123456789abcdef.tmp")]
    [InlineData(".ut01-hosts-registry.owner")]
    [InlineData(".ut01-hosts-registry.recovery")]
    [InlineData("ut01-hosts-registry")]
    [InlineData("ut02-router-r1")]
    [InlineData(".ut02-router-r1.owner")]
    [InlineData("ut01-router-")]
    [InlineData(".ut01-router-.owner")]
    [InlineData(".owner")]
    [InlineData("router_notify")]
    [InlineData("router__notify")]
    [InlineData("router_a b_notify")]
    [InlineData("hosts.json")]
    public void TryParseRouterFileName_AnyOtherFile_ReturnsFalse(string fileName)
    {
        LockName.TryParseRouterFileName("ut01", fileName, out var parsed).Should().BeFalse();

        parsed.Should().BeNull();
    }

    [Theory]
    [MemberData(nameof(EveryKindOfLock))]
    public void TryParseRouterFileName_FilesThisLibraryNamesForARouter_GiveTheRouterBack(string suffix)
    {
        var name = Lock("ut01", suffix);
        string[] routerFiles = name.IsRouter ? [name.OwnerRecordFileName, name.SlotFileName, LockName.NotifyFileName(name.RouterName!)] : [];
        string[] otherFiles = name.IsRouter ? [name.RecoveryGuardFileName] : [name.OwnerRecordFileName, name.SlotFileName, name.RecoveryGuardFileName];

        routerFiles.Select(f => LockName.TryParseRouterFileName("ut01", f, out var router) ? router : null).Should().AllBe(name.RouterName);
        otherFiles.Should().AllSatisfy(f => LockName.TryParseRouterFileName("ut01", f, out _).Should().BeFalse(f));
    }

    [Theory]
    [InlineData("tsim-router-r1", "/tsim-router-r1")]
    [InlineData("/tsim-hosts-registry", "/tsim-hosts-registry")]
    [InlineData("other-prefix-anything", "/other-prefix-anything")]
    public void TryParseSemaphoreName_LockNameOfAnyPrefix_GivesTheSemaphore(string text, string semaphore)
    {
        LockName.TryParseSemaphoreName(text, out var parsed).Should().BeTrue();

        parsed.Should().Be(semaphore);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("//a")]
    [InlineData("a/b")]
    [InlineData("../../x")]
    [InlineData("a b")]
    public void TryParseSemaphoreName_NotAFileNameInDevShm_ReturnsFalse(string text)
    {
        LockName.TryParseSemaphoreName(text, out var parsed).Should().BeFalse();

        parsed.Should().BeNull();
    }

    [Fact]
    public void TryParseSemaphoreName_Length_UpToWhatNameMaxLeavesAfterSemDot()
    {
        LockName.MaxLength.Should().Be(255 - "sem.".Length);

        LockName.TryParseSemaphoreName(new string('n', LockName.MaxLength), out _).Should().BeTrue();
        LockName.TryParseSemaphoreName("/" + new string('n', LockName.MaxLength), out _).Should().BeTrue();
        LockName.TryParseSemaphoreName(new string('n', LockName.MaxLength + 1), out _).Should().BeFalse();
    }

    private static LockName Lock(string prefix, string suffix) => suffix switch
    {
        "hosts-registry" => LockName.HostsRegistry(prefix),
        "host-leases" => LockName.HostLeases(prefix),
        "neighbor-leases" => LockName.NeighborLeases(prefix),
        _ => LockName.Router(prefix, suffix["router-".Length..]),
    };
}
