using System.Diagnostics.CodeAnalysis;
using Tsim.Registry.Interop;

namespace Tsim.Registry.Locking;

/// <summary>
/// The name of one lock, and the one place that spells and reads every name derived from it: the lock
/// (<c>PREFIX-hosts-registry</c>, <c>PREFIX-host-leases</c>, <c>PREFIX-neighbor-leases</c> or <c>PREFIX-router-ROUTER</c>),
/// its semaphore <c>/NAME</c> (the file <c>/dev/shm/sem.NAME</c>) and its files in the lock directory.
/// </summary>
/// <remarks>
/// The lock names, the router's lock file (<c>PREFIX-router-ROUTER</c>) and the notify file
/// (<c>router_ROUTER_notify</c>) are what the Python implementation uses too (docs/ARCHITECTURE.md, "Compatibility with
/// the Python implementation"); the slot and recovery guard files are this library's own, hidden by a leading '.'.
/// </remarks>
internal readonly record struct LockName
{
    /// <summary>
    /// The longest lock name: every name derived from it must fit NAME_MAX (255), and the longest of them is the recovery
    /// guard <c>.NAME.recovery</c> (10 more characters). The others: the semaphore file <c>sem.NAME</c> (4 more), the slot
    /// <c>.NAME.owner</c> (7 more), and Python's lock file <c>NAME</c>. No temporary file is named after a lock (owner
    /// records are written in place in their slots, lock files are hard links of a presence file; a semaphore is prepared under
    /// <see cref="SemaphoreFiles.TemporaryPath"/>). The notify file <c>router_ROUTER_notify</c> (14 more than the router
    /// name) is shorter than the guard whatever the prefix. A test derives every name of the longest lock and checks
    /// that each fits and that the guard fills NAME_MAX exactly.
    /// </summary>
    internal const int MaxLength = SemaphoreFiles.NAME_MAX - 10;

    /// <summary>
    /// The longest router name NameRules accepts: what <see cref="MaxLength"/> leaves after the longest prefix and
    /// <c>-router-</c>, so that every derived name of every router fits with every allowed prefix.
    /// </summary>
    internal const int MaxRouterNameLength = MaxLength - RegistryManagerOptions.MaxSemaphorePrefixLength - 8;

    private const string HostsRegistrySuffix = "-hosts-registry";
    private const string HostLeasesSuffix = "-host-leases";
    private const string NeighborLeasesSuffix = "-neighbor-leases";
    private const string RouterInfix = "-router-";
    private const string HiddenPrefix = "."; // The files only this library uses stay out of a plain ls.
    private const string SlotSuffix = ".owner";
    private const string RecoveryGuardSuffix = ".recovery";
    private const string NotifyPrefix = "router_";
    private const string NotifySuffix = "_notify";

    private LockName(string value, string? routerName)
    {
        Value = value;
        RouterName = routerName;
    }

    /// <summary>Gets the lock name without the leading '/', as <c>locks</c> prints it.</summary>
    internal string Value { get; }

    /// <summary>Gets the router this lock guards, or <see langword="null"/> for the three registry locks.</summary>
    internal string? RouterName { get; }

    /// <summary>Gets a value indicating whether this is a router's lock.</summary>
    internal bool IsRouter => RouterName is not null;

    /// <summary>Gets the semaphore's name, <c>/NAME</c>, as sem_open(3) takes it.</summary>
    internal string SemaphoreName => "/" + Value;

    /// <summary>Gets the file glibc keeps the semaphore in, <c>/dev/shm/sem.NAME</c>.</summary>
    internal string SemaphoreFilePath => SemaphoreFiles.PathOf(Value);

    /// <summary>
    /// Gets the file name of the lock file in the lock directory: the lock name itself. For a router of a registry
    /// shared with Python it exists exactly while the router is held (a hard link of the holder's
    /// <see cref="PresenceFile"/>), which is what Python's <c>is_router_locked</c> and <c>wait_for_router</c> look at.
    /// Older versions of this library wrote the owner record into it; this one writes it to the slot.
    /// </summary>
    internal string OwnerRecordFileName => Value;

    /// <summary>Gets the file name of the lock's owner record slot (<see cref="OwnerRecordSlot"/>): <c>.NAME.owner</c>.</summary>
    internal string SlotFileName => HiddenPrefix + Value + SlotSuffix;

    /// <summary>Gets the file name of the lock's recovery guard, whose flock serialises recoveries: <c>.NAME.recovery</c>.</summary>
    internal string RecoveryGuardFileName => HiddenPrefix + Value + RecoveryGuardSuffix;

    /// <summary>
    /// Checks a semaphore prefix (<see cref="RegistryManagerOptions.SemaphorePrefix"/>): 1 to
    /// <see cref="RegistryManagerOptions.MaxSemaphorePrefixLength"/> characters of the safe alphabet, starting with an
    /// ASCII letter or digit, not starting with <c>router_</c>, and without <c>-router</c> followed by '-' or the end, so
    /// that no lock of one prefix and no file in a shared lock directory is also another prefix's.
    /// </summary>
    /// <returns>What is wrong with it, as the end of a sentence that starts with the option's name; null when it is valid.</returns>
    /// <remarks>
    /// <para>
    /// Why these rules make every name unambiguous. A lock name is <c>P + S</c>, with S one of <c>-hosts-registry</c>,
    /// <c>-host-leases</c>, <c>-neighbor-leases</c> or <c>-router-R</c>. Within one prefix the four kinds differ right after
    /// P. Suppose two prefixes Q and P, Q shorter, had a lock name in common: <c>Q + S1 = P + S2</c>. Then P = Q + T with T
    /// not empty and S1 = T + S2, and since S2 starts with '-', T ends right before a '-' of S1 other than its first. In
    /// the three registry suffixes, what follows such a '-' is <c>-registry</c> or <c>-leases</c>, which is no suffix.
    /// So S1 is <c>-router-R</c> and T is <c>-router</c> (cut before the second '-') or <c>-router-</c> + the start of R:
    /// P is Q followed by <c>-router</c> and then its end or '-'. That is exactly what the last rule refuses, so of two
    /// accepted prefixes neither is the other's continuation of that shape, and their semaphores, lock files
    /// (Python's), slots <c>.NAME.owner</c> and guards <c>.NAME.recovery</c> (each a one-to-one
    /// function of the lock name) never meet. Measured before the rule: while prefix <c>q</c> held router
    /// <c>b-hosts-registry</c>, a registration under prefix <c>q-router-b</c> timed out.
    /// </para>
    /// <para>
    /// The files of different kinds never meet either. A slot ends in <c>.owner</c>, a guard in <c>.recovery</c>; both
    /// start with '.', which no lock file does once every prefix starts with a letter or digit (a prefix
    /// <c>.x</c> would make the lock file of its router <c>r.owner</c> over the slot of prefix <c>x</c>'s router
    /// <c>r</c>, a mapped page). A notify file is <c>router_R_notify</c>, with no prefix, and a lock file is
    /// <c>P-…</c>: they could only be equal if P, which ends right before a '-', started with <c>router_</c> (which has no '-').
    /// A <see cref="PresenceFile"/> (<c>.presence-…</c>) starts with '.' and ends in neither <c>.owner</c> nor
    /// <c>.recovery</c>.
    /// </para>
    /// </remarks>
    internal static string? CheckPrefix(string prefix)
    {
        if (prefix.Length is 0 or > RegistryManagerOptions.MaxSemaphorePrefixLength || !NameRules.IsSafe(prefix))
        {
            return $"must be 1 to {RegistryManagerOptions.MaxSemaphorePrefixLength} characters of {NameRules.AlphabetDescription} (got '{NameRules.Printable(prefix)}').";
        }

        if (!char.IsAsciiLetterOrDigit(prefix[0]))
        {
            return $"must start with an ASCII letter or digit (got '{prefix}'): the lock directory's files that start with '.' are this library's slots and recovery guards.";
        }

        if (prefix.StartsWith(NotifyPrefix, StringComparison.Ordinal))
        {
            return $"must not start with '{NotifyPrefix}' (got '{prefix}'): an owner record file of its routers could be named like a router's notify file ({NotifyPrefix}ROUTER{NotifySuffix}).";
        }

        const string RouterWord = "-router";
        for (var at = prefix.IndexOf(RouterWord, StringComparison.Ordinal); at > 0; at = prefix.IndexOf(RouterWord, at + 1, StringComparison.Ordinal))
        {
            var rest = prefix[(at + RouterWord.Length)..];
            if (rest.Length == 0 || rest[0] == '-')
            {
                var shorter = prefix[..at];
                var router = (rest.Length == 0 ? string.Empty : rest[1..] + "-") + HostsRegistrySuffix[1..];
                return $"must not contain '{RouterWord}' followed by '-' or the end of the prefix (got '{prefix}'): its lock {HostsRegistry(prefix)} "
                    + $"would be the lock of router '{router}' under prefix '{shorter}', one semaphore for two locks.";
            }
        }

        return null;
    }

    /// <summary>Names the lock of the hosts registry.</summary>
    internal static LockName HostsRegistry(string prefix) => new(prefix + HostsRegistrySuffix, null);

    /// <summary>Names the lock of the host leases.</summary>
    internal static LockName HostLeases(string prefix) => new(prefix + HostLeasesSuffix, null);

    /// <summary>Names the lock of the neighbour leases.</summary>
    internal static LockName NeighborLeases(string prefix) => new(prefix + NeighborLeasesSuffix, null);

    /// <summary>Names a router's lock.</summary>
    /// <param name="prefix">The semaphore prefix.</param>
    /// <param name="routerName">The router; checked by the caller (NameRules), or found in the lock directory (<see cref="TryParseRouterFileName"/>).</param>
    internal static LockName Router(string prefix, string routerName) => new(prefix + RouterInfix + routerName, routerName);

    /// <summary>
    /// Gets the file name of a router's notify file, which every release touches so that inotify waiters wake up. It
    /// carries no prefix: that is the Python implementation's name for it.
    /// </summary>
    internal static string NotifyFileName(string routerName) => NotifyPrefix + routerName + NotifySuffix;

    /// <summary>
    /// Reads a lock name of this registry as <see cref="Value"/> spells it (what <c>locks</c> and
    /// <see cref="RegistryManager.ListHeldLocks"/> print): one of the three registry locks, or
    /// <c>PREFIX-router-ROUTER</c> with any router name <see cref="TryParseRouterFileName"/> finds in the lock directory
    /// (the safe alphabet, at most <see cref="MaxLength"/> characters in all), so that every lock <c>locks</c> lists can
    /// be named back, a router of the Python implementation (which checks no name) included.
    /// </summary>
    /// <returns><see langword="false"/> for anything else, including a leading '/'.</returns>
    internal static bool TryParse(string prefix, string text, out LockName name)
    {
        foreach (var registryLock in (ReadOnlySpan<LockName>)[HostsRegistry(prefix), HostLeases(prefix), NeighborLeases(prefix)])
        {
            if (string.Equals(text, registryLock.Value, StringComparison.Ordinal))
            {
                name = registryLock;
                return true;
            }
        }

        if (RouterPart(prefix, text) is { } routerName && IsListableRouterName(prefix, routerName))
        {
            name = Router(prefix, routerName);
            return true;
        }

        name = default;
        return false;
    }

    /// <summary>Reads a lock name of this registry (see <see cref="TryParse"/>), for an argument of a public method.</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="text"/> is not a lock of this registry; for <c>PREFIX-router-ROUTER</c>, the message states the
    /// rule the router name breaks.
    /// </exception>
    internal static LockName Parse(string prefix, string text, string paramName)
    {
        if (TryParse(prefix, text, out var name))
        {
            return name;
        }

        if (RouterPart(prefix, text) is { Length: > 0 } routerName)
        {
            if (!NameRules.IsSafe(routerName))
            {
                throw new ArgumentException(
                    $"{paramName} may only contain {NameRules.AlphabetDescription} (got '{NameRules.Printable(text)}').", paramName);
            }

            throw new ArgumentException(
                $"{paramName} must be at most {MaxLength} characters, the room NAME_MAX leaves for the lock's recovery guard .NAME.recovery (got {text.Length}).",
                paramName);
        }

        throw new ArgumentException(
            $"{paramName} must be a lock of this registry: {HostsRegistry(prefix)}, {HostLeases(prefix)}, {NeighborLeases(prefix)} or {prefix}{RouterInfix}NAME (got '{text}').",
            paramName);
    }

    /// <summary>
    /// Reads the router a file of the lock directory belongs to: a lock file (<c>PREFIX-router-ROUTER</c>), an
    /// owner record slot (<c>.PREFIX-router-ROUTER.owner</c>) or a notify file (<c>router_ROUTER_notify</c>, which has no
    /// prefix, so it counts for every prefix sharing the directory).
    /// </summary>
    /// <remarks>
    /// Any name of the safe alphabet is accepted, not only what NameRules lets this library create: the Python
    /// implementation checks no router name, and a lock it holds must still be listed. A router may be named
    /// <c>x.tmp</c>, so a name ending in <c>.tmp</c> counts like any other; an owner record left behind as
    /// <c>PREFIX-router-ROUTER.PID.GUID.tmp</c> by an earlier version (which renamed records into place) reads as a
    /// router of that whole name, whose semaphore does not exist: it is never listed as held.
    /// </remarks>
    /// <returns>
    /// <see langword="false"/> for every other file, including recovery guards, and for a router whose lock name would
    /// be longer than <see cref="MaxLength"/> (its guard could not exist).
    /// </returns>
    internal static bool TryParseRouterFileName(string prefix, string fileName, [NotNullWhen(true)] out string? routerName)
    {
        routerName = Between(fileName, HiddenPrefix, SlotSuffix) is { } slotOf ? RouterPart(prefix, slotOf)
            : Between(fileName, NotifyPrefix, NotifySuffix) ?? RouterPart(prefix, fileName);
        if (routerName is not null && IsListableRouterName(prefix, routerName))
        {
            return true;
        }

        routerName = null;
        return false;
    }

    /// <summary>
    /// Reads the name of any lock's semaphore, of this registry or of another prefix, with or without its leading '/'
    /// (the argument of <c>sem-value</c>, as the Python interop client takes it): 1 to
    /// <see cref="SemaphoreFiles.MaxNameLength"/> characters of the safe alphabet (any semaphore glibc can name, also
    /// one of a lock this library would refuse), so that it can name nothing but a file directly in <c>/dev/shm</c>.
    /// </summary>
    /// <param name="text">The name as given.</param>
    /// <param name="semaphoreName">The semaphore's name with its leading '/'.</param>
    internal static bool TryParseSemaphoreName(string text, [NotNullWhen(true)] out string? semaphoreName)
    {
        var value = text.StartsWith('/') ? text[1..] : text;
        semaphoreName = value.Length is > 0 and <= SemaphoreFiles.MaxNameLength && NameRules.IsSafe(value) ? "/" + value : null;
        return semaphoreName is not null;
    }

    /// <summary>
    /// Whether <paramref name="text"/> reads as a lock name of some prefix, this registry's or another's: it ends like
    /// one of the three registry locks or has <c>-router-</c> after its first character. A router may be named so
    /// (<c>edge-router-1</c>); only with its semaphore existing is such a text surely a lock.
    /// </summary>
    internal static bool LooksLikeLockName(string text) =>
        text.IndexOf(RouterInfix, StringComparison.Ordinal) > 0 ||
        text.EndsWith(HostsRegistrySuffix, StringComparison.Ordinal) ||
        text.EndsWith(HostLeasesSuffix, StringComparison.Ordinal) ||
        text.EndsWith(NeighborLeasesSuffix, StringComparison.Ordinal);

    /// <summary>Gets the lock name, as <see cref="Value"/>.</summary>
    public override string ToString() => Value;

    /// <summary>The text after <c>PREFIX-router-</c>, or <see langword="null"/> when <paramref name="text"/> does not start with it.</summary>
    private static string? RouterPart(string prefix, string text) =>
        text.Length > prefix.Length + RouterInfix.Length &&
        text.StartsWith(prefix, StringComparison.Ordinal) &&
        text.AsSpan(prefix.Length).StartsWith(RouterInfix, StringComparison.Ordinal)
            ? text[(prefix.Length + RouterInfix.Length)..]
            : null;

    /// <summary>The text between <paramref name="start"/> and <paramref name="end"/>, or <see langword="null"/> when <paramref name="text"/> is not wrapped in them.</summary>
    private static string? Between(string text, string start, string end) =>
        text.Length >= start.Length + end.Length && text.StartsWith(start, StringComparison.Ordinal) && text.EndsWith(end, StringComparison.Ordinal)
            ? text[start.Length..^end.Length]
            : null;

    /// <summary>
    /// Whether a router of this prefix can be listed and named back: the safe alphabet (so that its names are file names
    /// directly in their directories), and a lock name of at most <see cref="MaxLength"/> characters (so that each of
    /// its derived names fits). Wider than NameRules, which also asks for a letter or digit first and leaves room for the
    /// longest prefix: the Python implementation checks no router name, and a lock it holds must still be listed and freed.
    /// </summary>
    private static bool IsListableRouterName(string prefix, string routerName) =>
        routerName.Length is > 0 &&
        prefix.Length + RouterInfix.Length + routerName.Length <= MaxLength &&
        NameRules.IsSafe(routerName);
}
