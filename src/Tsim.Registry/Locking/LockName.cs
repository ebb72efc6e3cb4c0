using System.Diagnostics.CodeAnalysis;
using Tsim.Registry.Interop;

namespace Tsim.Registry.Locking;

/// <summary>
/// The name of one lock, and the one place that spells and reads every name derived from it: the lock
/// (<c>PREFIX-hosts-registry</c>, <c>PREFIX-host-leases</c>, <c>PREFIX-neighbor-leases</c> or <c>PREFIX-router-ROUTER</c>),
/// its semaphore <c>/NAME</c> (the file <c>/dev/shm/sem.NAME</c>) and its files in the lock directory.
/// </summary>
/// <remarks>
/// The lock names, the router's owner record file (<c>PREFIX-router-ROUTER</c>) and the notify file
/// (<c>router_ROUTER_notify</c>) are what the Python implementation uses too (docs/ARCHITECTURE.md, "Compatibility with
/// the Python implementation"); the slot and recovery guard files are this library's own, hidden by a leading '.'.
/// </remarks>
internal readonly record struct LockName
{
    /// <summary>The longest lock name: its semaphore file <c>sem.NAME</c> must fit NAME_MAX.</summary>
    internal const int MaxLength = SemaphoreFiles.MaxNameLength;

    private const string HostsRegistrySuffix = "-hosts-registry";
    private const string HostLeasesSuffix = "-host-leases";
    private const string NeighborLeasesSuffix = "-neighbor-leases";
    private const string RouterInfix = "-router-";
    private const string HiddenPrefix = "."; // The files only this library uses stay out of a plain ls.
    private const string SlotSuffix = ".owner";
    private const string RecoveryGuardSuffix = ".recovery";
    private const string NotifyPrefix = "router_";
    private const string NotifySuffix = "_notify";

    /// <summary>
    /// Owner records of earlier versions were written to <c>PREFIX-router-ROUTER.PID.GUID.tmp</c> and renamed into
    /// place; one left behind by a crash names no router.
    /// </summary>
    private const string TemporaryFileSuffix = ".tmp";

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
    /// Gets the file name of the owner record file in the lock directory: the lock name itself. For a router of a
    /// registry shared with Python it exists exactly while the router is held, which is what Python's
    /// <c>is_router_locked</c> and <c>wait_for_router</c> look at.
    /// </summary>
    internal string OwnerRecordFileName => Value;

    /// <summary>Gets the file name of the lock's owner record slot (<see cref="OwnerRecordSlot"/>): <c>.NAME.owner</c>.</summary>
    internal string SlotFileName => HiddenPrefix + Value + SlotSuffix;

    /// <summary>Gets the file name of the lock's recovery guard, whose flock serialises recoveries: <c>.NAME.recovery</c>.</summary>
    internal string RecoveryGuardFileName => HiddenPrefix + Value + RecoveryGuardSuffix;

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
    /// <c>PREFIX-router-ROUTER</c> with a router name that NameRules accepts.
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

        if (RouterPart(prefix, text) is { } routerName && IsValidRouterName(routerName))
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

        if (RouterPart(prefix, text) is { } routerName)
        {
            NameRules.ThrowIfInvalidName(routerName, paramName);
        }

        throw new ArgumentException(
            $"{paramName} must be a lock of this registry: {HostsRegistry(prefix)}, {HostLeases(prefix)}, {NeighborLeases(prefix)} or {prefix}{RouterInfix}NAME (got '{text}').",
            paramName);
    }

    /// <summary>
    /// Reads the router a file of the lock directory belongs to: an owner record file (<c>PREFIX-router-ROUTER</c>), an
    /// owner record slot (<c>.PREFIX-router-ROUTER.owner</c>) or a notify file (<c>router_ROUTER_notify</c>, which has no
    /// prefix, so it counts for every prefix sharing the directory).
    /// </summary>
    /// <remarks>
    /// Any name of the safe alphabet is accepted, not only what NameRules lets this library create: the Python
    /// implementation checks no router name, and a lock it holds must still be listed.
    /// </remarks>
    /// <returns><see langword="false"/> for every other file, including recovery guards and left-over temporary files.</returns>
    internal static bool TryParseRouterFileName(string prefix, string fileName, [NotNullWhen(true)] out string? routerName)
    {
        routerName = fileName.EndsWith(TemporaryFileSuffix, StringComparison.Ordinal) ? null
            : Between(fileName, HiddenPrefix, SlotSuffix) is { } slotOf ? RouterPart(prefix, slotOf)
            : Between(fileName, NotifyPrefix, NotifySuffix) ?? RouterPart(prefix, fileName);
        if (routerName is { Length: > 0 } && NameRules.IsSafe(routerName))
        {
            return true;
        }

        routerName = null;
        return false;
    }

    /// <summary>
    /// Reads the name of any lock's semaphore, of this registry or of another prefix, with or without its leading '/'
    /// (the argument of <c>sem-value</c>, as the Python interop client takes it): 1 to <see cref="MaxLength"/>
    /// characters of the safe alphabet, so that it can name nothing but a file directly in <c>/dev/shm</c>.
    /// </summary>
    /// <param name="text">The name as given.</param>
    /// <param name="semaphoreName">The semaphore's name with its leading '/'.</param>
    internal static bool TryParseSemaphoreName(string text, [NotNullWhen(true)] out string? semaphoreName)
    {
        var value = text.StartsWith('/') ? text[1..] : text;
        semaphoreName = value.Length is > 0 and <= MaxLength && NameRules.IsSafe(value) ? "/" + value : null;
        return semaphoreName is not null;
    }

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
    /// The rules of <see cref="NameRules.ThrowIfInvalidName"/>, without the exception (a test holds the two to the same
    /// answers).
    /// </summary>
    private static bool IsValidRouterName(string routerName) =>
        routerName.Length is > 0 and <= NameRules.MaxNameLength &&
        NameRules.IsSafe(routerName) &&
        char.IsAsciiLetterOrDigit(routerName[0]);
}
