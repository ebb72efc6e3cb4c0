
namespace Tsim.Registry;

/// <summary>A held lock and what is known about its holder.</summary>
/// <param name="LockName">The lock (semaphore) name, e.g. <c>tsim-router-r1</c> or <c>tsim-hosts-registry</c>.</param>
/// <param name="RouterName">The router, or <see langword="null"/> for the three registry locks.</param>
/// <param name="OwnerState">Whether the recorded holder is alive.</param>
/// <param name="JobId">The holder's job, when recorded.</param>
/// <param name="Pid">The holder's process id, when recorded.</param>
/// <param name="AcquiredAt">When the holder acquired the lock, when recorded.</param>
public sealed record LockStatus(
    string LockName,
    string? RouterName,
    LockOwnerState OwnerState,
    string? JobId,
    int? Pid,
    DateTimeOffset? AcquiredAt);
