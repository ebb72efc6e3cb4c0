namespace Tsim.Registry.Locking;

/// <summary>A lock held by a manager: which, for which job, since when.</summary>
/// <remarks>
/// Compared by reference where a hold must be told from a later hold of the same lock by the same job: a
/// <see cref="RouterLockHold"/> releases only the very holds it was given.
/// </remarks>
internal sealed record HeldLock(LockName Name, string JobId, DateTimeOffset AcquiredAt);
