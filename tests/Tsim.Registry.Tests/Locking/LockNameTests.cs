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
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("-r1")]
    [InlineData("_python")]
    [InlineData("x.tmp")]
    public void TryParse_RouterNameOnlyPythonCreates_IsARouterLockAsLocksListsIt(string routerName)
    {
        // NameRules refuses these, but the Python implementation checks no name: 'locks' lists its holders, and what it
        // lists must name the same lock back (tsim-registry unlock).
        LockName.TryParseRouterFileName("ut01", "ut01-router-" + routerName, out var listed).Should().BeTrue();
        LockName.TryParse("ut01", "ut01-router-" + routerName, out var parsed).Should().BeTrue();

        parsed.Should().Be(LockName.Router("ut01", listed!));
    }

    [Theory]
    [InlineData("../etc", "may only contain")]
    [InlineData("a/b", "may only contain")]
    [InlineData("a b", "may only contain")]
    [InlineData("a\0b", "may only contain")]
    [InlineData("caf\u00e9", "may only contain")]
    public void Parse_RouterPartOutsideTheSafeAlphabet_IsRejectedNamingTheRule(string routerName, string rule)
    {
        routerName = System.Text.RegularExpressions.Regex.Unescape(routerName);
        LockName.TryParse("ut01", "ut01-router-" + routerName, out _).Should().BeFalse();
        var act = () => LockName.Parse("ut01", "ut01-router-" + routerName, "lockName");

        act.Should().Throw<ArgumentException>().WithParameterName("lockName").WithMessage($"lockName {rule}*");
    }

    [Fact]
    public void Parse_LockNameLongerThanItsGuardAllows_IsRejectedNamingTheLimit()
    {
        var longest = "ut01-router-" + new string('r', LockName.MaxLength - "ut01-router-".Length);
        LockName.TryParse("ut01", longest, out _).Should().BeTrue();

        var act = () => LockName.Parse("ut01", longest + "r", "lockName");

        act.Should().Throw<ArgumentException>().WithParameterName("lockName").WithMessage($"lockName must be at most {LockName.MaxLength} characters*");
        LockName.TryParseRouterFileName("ut01", longest + "r", out _).Should().BeFalse("its recovery guard could not exist");
    }

    [Fact]
    public void Parse_EmptyRouterPart_IsNoLockOfThisRegistry()
    {
        var act = () => LockName.Parse("ut01", "ut01-router-", "lockName");

        act.Should().Throw<ArgumentException>().WithParameterName("lockName").WithMessage("lockName must be a lock of this registry*");
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
    [InlineData("ut01-router-x.tmp", "x.tmp")]
    [InlineData(".ut01-router-x.tmp.owner", "x.tmp")]
    [InlineData("router_x.tmp_notify", "x.tmp")]
    [InlineData("ut01-router-r1.1234.0123456789abcdef.tmp", "r1.1234.0123456789abcdef.tmp")]
    public void TryParseRouterFileName_FileOfARouter_GivesTheRouter(string fileName, string router)
    {
        LockName.TryParseRouterFileName("ut01", fileName, out var parsed).Should().BeTrue();

        parsed.Should().Be(router);
    }

    [Theory]
    [InlineData(".ut01-router-r1.recovery")]
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
        // Any semaphore glibc can name, also one longer than the locks this library makes (sem-value looks at anything).
        const int Longest = 255 - 4;

        LockName.TryParseSemaphoreName(new string('n', Longest), out _).Should().BeTrue();
        LockName.TryParseSemaphoreName("/" + new string('n', Longest), out _).Should().BeTrue();
        LockName.TryParseSemaphoreName(new string('n', Longest + 1), out _).Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(EveryKindOfLock))]
    public void MaxLength_EveryNameDerivedFromTheLongestLock_FitsNameMax(string suffix)
    {
        // The longest prefix and the longest router name NameRules accepts: the lock names they make are the longest
        // there are, and each name derived from them must be a valid file name (at most NAME_MAX = 255 bytes).
        var prefix = new string('p', RegistryManagerOptions.MaxSemaphorePrefixLength);
        var name = suffix.StartsWith("router-", StringComparison.Ordinal)
            ? LockName.Router(prefix, new string('r', NameRules.MaxNameLength))
            : Lock(prefix, suffix);

        string[] derived =
        [
            Path.GetFileName(name.SemaphoreFilePath),
            name.OwnerRecordFileName,
            name.SlotFileName,
            name.RecoveryGuardFileName,
            .. name.RouterName is { } router ? [LockName.NotifyFileName(router)] : Array.Empty<string>(),
        ];

        derived.Should().AllSatisfy(file => System.Text.Encoding.UTF8.GetByteCount(file).Should().BeLessThanOrEqualTo(255, file));
        name.Value.Length.Should().BeLessThanOrEqualTo(LockName.MaxLength);
    }

    [Fact]
    public void MaxLength_TheLongestRouterLock_FillsNameMaxWithItsRecoveryGuard()
    {
        var longest = LockName.Router(new string('p', RegistryManagerOptions.MaxSemaphorePrefixLength), new string('r', NameRules.MaxNameLength));

        longest.Value.Length.Should().Be(LockName.MaxLength, "the limits leave no character unused");
        longest.RecoveryGuardFileName.Length.Should().Be(255, "the guard is the longest derived name");
        NameRules.MaxNameLength.Should().Be(205);
    }

    [Theory]
    [InlineData("tsim")]
    [InlineData("a")]
    [InlineData("9lives")]
    [InlineData("a-routers")]
    [InlineData("a-router_b")]
    [InlineData("a.router-b")]
    [InlineData("router-1")]
    [InlineData("routerx")]
    [InlineData("pppppppppppppppppppppppppppppppp")]
    public void CheckPrefix_UnambiguousPrefix_IsValid(string prefix)
    {
        LockName.CheckPrefix(prefix).Should().BeNull();
    }

    [Theory]
    [InlineData("", "must be 1 to 32 characters")]
    [InlineData("a/b", "must be 1 to 32 characters")]
    [InlineData("ppppppppppppppppppppppppppppppppp", "must be 1 to 32 characters")]
    [InlineData(".x", "must start with an ASCII letter or digit")]
    [InlineData("-x", "must start with an ASCII letter or digit")]
    [InlineData("_x", "must start with an ASCII letter or digit")]
    [InlineData("router_a", "must not start with 'router_'")]
    [InlineData("a-router", "must not contain '-router' followed by '-' or the end of the prefix (got 'a-router'): its lock a-router-hosts-registry would be the lock of router 'hosts-registry' under prefix 'a'")]
    [InlineData("a-router-b", "must not contain '-router' followed by '-' or the end of the prefix (got 'a-router-b'): its lock a-router-b-hosts-registry would be the lock of router 'b-hosts-registry' under prefix 'a'")]
    [InlineData("a-routers-router-", "*under prefix 'a-routers'*")]
    [InlineData("a-router--", "*lock a-router---hosts-registry would be the lock of router '--hosts-registry' under prefix 'a'*")]
    public void CheckPrefix_AmbiguousOrUnsafePrefix_SaysWhichRule(string prefix, string rule)
    {
        LockName.CheckPrefix(prefix).Should().Match(rule.StartsWith('*') ? rule : rule + "*");
    }

    /// <summary>
    /// The '-router' rule of <see cref="LockName.CheckPrefix"/> against brute force: among every prefix made of 'a', '-'
    /// and 'router' (up to 10 characters), two prefixes that make one lock name always include a refused one, and there
    /// are such pairs (the search meets the ambiguity the rule is about).
    /// </summary>
    [Fact]
    public void CheckPrefix_PrefixesSharingALockName_AlwaysIncludeARefusedOne()
    {
        string[] routers = ["hosts-registry", "a-hosts-registry", "a-host-leases", "a", "a-router-a", "router-a"];
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var collisions = 0;
        foreach (var prefix in Words(["a", "-", "router"], maxLength: 10).Where(p => p.Length > 0 && char.IsAsciiLetterOrDigit(p[0])))
        {
            foreach (var name in Locks(prefix, routers).Select(l => l.Value))
            {
                if (owners.TryGetValue(name, out var other) && other != prefix)
                {
                    collisions++;
                    (LockName.CheckPrefix(prefix) is null && LockName.CheckPrefix(other) is null)
                        .Should().BeFalse($"prefixes '{other}' and '{prefix}' both make the lock {name}");
                }

                owners.TryAdd(name, prefix);
            }
        }

        collisions.Should().BeGreaterThan(0);
    }

    /// <summary>
    /// Every file name the accepted prefixes give to their locks (semaphore files, owner record files, slots, guards) and
    /// the routers' notify files: no two locks, and no lock and another router's notify file, share one. Prefixes of the
    /// pieces 'a', '-', 'router', '_' and '.' (up to 7 characters), so that the hidden and <c>router_</c> shapes occur.
    /// </summary>
    [Fact]
    public void CheckPrefix_AcceptedPrefixes_NeverShareAFileName()
    {
        string[] routers = ["hosts-registry", "a-hosts-registry", "a", "a-router-a", "a.owner", "a.recovery", "a_notify", "-router-a"];
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var accepted = 0;
        foreach (var prefix in Words(["a", "-", "router", "_", "."], maxLength: 7).Where(p => LockName.CheckPrefix(p) is null))
        {
            accepted++;
            foreach (var name in Locks(prefix, routers))
            {
                foreach (var file in (string[])[Path.GetFileName(name.SemaphoreFilePath), name.OwnerRecordFileName, name.SlotFileName, name.RecoveryGuardFileName])
                {
                    Claim(owners, file, $"lock {name} of prefix '{prefix}'");
                }
            }
        }

        foreach (var router in routers)
        {
            Claim(owners, LockName.NotifyFileName(router), "notify " + router);
        }

        accepted.Should().BeGreaterThan(500);

        static void Claim(Dictionary<string, string> owners, string file, string owner)
        {
            if (!owners.TryAdd(file, owner))
            {
                owners[file].Should().Be(owner, $"'{file}' is a file of one lock only");
            }
        }
    }

    private static IEnumerable<LockName> Locks(string prefix, string[] routers) =>
        [
            LockName.HostsRegistry(prefix),
            LockName.HostLeases(prefix),
            LockName.NeighborLeases(prefix),
            .. routers.Select(r => LockName.Router(prefix, r)),
        ];

    /// <summary>Every concatenation of <paramref name="pieces"/> up to <paramref name="maxLength"/> characters, the empty one first.</summary>
    private static IEnumerable<string> Words(string[] pieces, int maxLength)
    {
        var frontier = new List<string> { string.Empty };
        while (frontier.Count > 0)
        {
            var next = new List<string>();
            foreach (var word in frontier)
            {
                yield return word;
                next.AddRange(pieces.Select(p => word + p).Where(w => w.Length <= maxLength));
            }

            frontier = next;
        }
    }

    private static LockName Lock(string prefix, string suffix) => suffix switch
    {
        "hosts-registry" => LockName.HostsRegistry(prefix),
        "host-leases" => LockName.HostLeases(prefix),
        "neighbor-leases" => LockName.NeighborLeases(prefix),
        _ => LockName.Router(prefix, suffix["router-".Length..]),
    };
}
