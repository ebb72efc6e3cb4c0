using Microsoft.Extensions.Logging;

namespace Tsim.Registry.Diagnostics;

/// <summary>
/// Every log event of the library. Ids are stable by area (1000s locking, 2000s storage, 3000s transactions,
/// 4000s recovery, 5000s registry operations) and event names are never renamed: operators filter on them.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, EventName = "LockAcquired", Level = LogLevel.Debug,
        Message = "Acquired lock {LockName} for job {JobId} after {WaitMs:F3} ms")]
    internal static partial void LockAcquired(this ILogger logger, string lockName, string jobId, double waitMs);

    [LoggerMessage(EventId = 1001, EventName = "LockTimedOut", Level = LogLevel.Warning,
        Message = "Timed out after {TimeoutMs} ms acquiring lock {LockName} for job {JobId}")]
    internal static partial void LockTimedOut(this ILogger logger, string lockName, string jobId, long timeoutMs);

    [LoggerMessage(EventId = 1002, EventName = "LockReleased", Level = LogLevel.Debug,
        Message = "Released lock {LockName} of job {JobId} after holding it {HeldMs:F3} ms")]
    internal static partial void LockReleased(this ILogger logger, string lockName, string jobId, double heldMs);

    [LoggerMessage(EventId = 1003, EventName = "ReleaseByNonHolder", Level = LogLevel.Warning,
        Message = "Job {JobId} asked to release lock {LockName}, which this manager does not hold for it (holder here: {HolderJobId}); nothing was released")]
    internal static partial void ReleaseByNonHolder(this ILogger logger, string lockName, string jobId, string holderJobId);

    [LoggerMessage(EventId = 1004, EventName = "OwnerRecordDeleteFailed", Level = LogLevel.Warning,
        Message = "Could not delete owner record {Path}; the lock is released anyway")]
    internal static partial void OwnerRecordDeleteFailed(this ILogger logger, string path);

    [LoggerMessage(EventId = 1005, EventName = "NotifyTouchFailed", Level = LogLevel.Warning,
        Message = "Could not touch notify file {Path} after releasing router {RouterName}; waiters wake at their next re-check")]
    internal static partial void NotifyTouchFailed(this ILogger logger, string routerName, string path, Exception exception);

    [LoggerMessage(EventId = 1006, EventName = "ReleasedOnDispose", Level = LogLevel.Warning,
        Message = "Lock {LockName} of job {JobId} was still held when the manager was disposed or the process ended; released it")]
    internal static partial void ReleasedOnDispose(this ILogger logger, string lockName, string jobId);

    [LoggerMessage(EventId = 1007, EventName = "ReleaseFailed", Level = LogLevel.Error,
        Message = "Could not release lock {LockName} of job {JobId}; it stays held until this process exits, then waiters recover it")]
    internal static partial void ReleaseFailed(this ILogger logger, string lockName, string jobId, Exception exception);

    [LoggerMessage(EventId = 1008, EventName = "RegistryLocksHeldPastDispose", Level = LogLevel.Warning,
        Message = "Dispose returned while registry locks {LockNames} were still held by calls in flight after {GraceMs} ms; each is released when its call ends, never under its write")]
    internal static partial void RegistryLocksHeldPastDispose(this ILogger logger, string lockNames, double graceMs);

    [LoggerMessage(EventId = 1009, EventName = "PresenceFileSweepFailed", Level = LogLevel.Warning,
        Message = "Could not look for presence files of dead processes in {LockDirectory}; they stay until a later manager's look")]
    internal static partial void PresenceFileSweepFailed(this ILogger logger, string lockDirectory, Exception exception);

    [LoggerMessage(EventId = 1010, EventName = "RouterLockFileDeleteFailed", Level = LogLevel.Error,
        Message = "Could not delete router lock file {Path} (errno {Errno}); the lock stays held until this process exits, then waiters recover it")]
    internal static partial void RouterLockFileDeleteFailed(this ILogger logger, string path, int errno);

    [LoggerMessage(EventId = 1011, EventName = "TemporaryRegistryCleanupFailed", Level = LogLevel.Warning,
        Message = "Could not remove all of temporary registry {Directory} (semaphores /dev/shm/sem.{Prefix}-*); TemporaryRegistry.RemoveLeftovers or 'tsim-registry remove-temporary' removes what is left once this process has exited")]
    internal static partial void TemporaryRegistryCleanupFailed(this ILogger logger, string directory, string prefix, Exception exception);

    [LoggerMessage(EventId = 1012, EventName = "TemporaryRegistryCleanupIncomplete", Level = LogLevel.Warning,
        Message = "Temporary registry {Directory}: calls of its managers on other threads were still running after {GraceMs} ms; a semaphore they open after the cleanup stays in /dev/shm")]
    internal static partial void TemporaryRegistryCleanupIncomplete(this ILogger logger, string directory, double graceMs);

    [LoggerMessage(EventId = 1013, EventName = "TemporaryRegistryLeftoverSkipped", Level = LogLevel.Warning,
        Message = "Left the temporary registry leftover {Path} alone: {Reason}")]
    internal static partial void TemporaryRegistryLeftoverSkipped(this ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 2000, EventName = "RegistryFileWritten", Level = LogLevel.Trace,
        Message = "Wrote {FileName} ({Bytes} bytes) in {ElapsedMs:F3} ms")]
    internal static partial void RegistryFileWritten(this ILogger logger, string fileName, int bytes, double elapsedMs);

    [LoggerMessage(EventId = 2001, EventName = "RegistryFileCorrupt", Level = LogLevel.Error,
        Message = "Registry file {Path} is corrupt at line {LineNumber}, byte {BytePosition}; it is left untouched")]
    internal static partial void RegistryFileCorrupt(this ILogger logger, string path, long? lineNumber, long? bytePosition, Exception exception);

    [LoggerMessage(EventId = 2002, EventName = "RegistryIoRetry", Level = LogLevel.Warning,
        Message = "Could not {Operation} {Path} (attempt {Attempt} of {MaxAttempts}); retrying")]
    internal static partial void RegistryIoRetry(this ILogger logger, string path, string operation, int attempt, int maxAttempts, Exception exception);

    [LoggerMessage(EventId = 2003, EventName = "TransactionLogWriteFailed", Level = LogLevel.Error,
        Message = "Could not append {Operation} to transaction log {Path}: {Reason}")]
    internal static partial void TransactionLogWriteFailed(this ILogger logger, string path, string operation, string reason);

    [LoggerMessage(EventId = 2004, EventName = "RegistryFileQuarantined", Level = LogLevel.Warning,
        Message = "Corrupt registry file {Path} moved aside to {QuarantinePath}")]
    internal static partial void RegistryFileQuarantined(this ILogger logger, string path, string quarantinePath);

    [LoggerMessage(EventId = 2005, EventName = "DirectorySyncFailedAfterRename", Level = LogLevel.Warning,
        Message = "Renamed a file to {Path}, but could not fsync directory {Directory} afterwards; the file is in place and the change stands, but a power cut or kernel crash may undo the rename")]
    internal static partial void DirectorySyncFailedAfterRename(this ILogger logger, string path, string directory, Exception exception);

    [LoggerMessage(EventId = 3000, EventName = "RollingBack", Level = LogLevel.Information,
        Message = "Rolling back: {Description}")]
    internal static partial void RollingBack(this ILogger logger, string description);

    [LoggerMessage(EventId = 3001, EventName = "RollbackFailed", Level = LogLevel.Error,
        Message = "Rollback step failed: {Description}")]
    internal static partial void RollbackFailed(this ILogger logger, string description, Exception exception);

    [LoggerMessage(EventId = 4000, EventName = "LockRecovered", Level = LogLevel.Warning,
        Message = "Recovered lock {LockName}: its owner, job {JobId} (pid {Pid}, holding since {AcquiredAt:o}), died without releasing it")]
    internal static partial void LockRecovered(this ILogger logger, string lockName, string jobId, int pid, DateTimeOffset acquiredAt);

    [LoggerMessage(EventId = 4001, EventName = "StaleLeaseReaped", Level = LogLevel.Warning,
        Message = "Reaped the {LeaseKind} lease of run {RunId} on {Key}: its process {Pid} is dead")]
    internal static partial void StaleLeaseReaped(this ILogger logger, string leaseKind, string runId, string key, int pid);

    [LoggerMessage(EventId = 4002, EventName = "LockForced", Level = LogLevel.Warning,
        Message = "Forced lock {LockName} free on an operator's request: it was held with no owner record")]
    internal static partial void LockForced(this ILogger logger, string lockName);

    [LoggerMessage(EventId = 4003, EventName = "StaleRecordOfLiveOwner", Level = LogLevel.Error,
        Message = "Lock {LockName}'s semaphore was just created, yet job {JobId} (pid {Pid}) is alive and recorded as its owner: it holds a semaphore whose name was removed, so it is not excluded from this one. Stop it, or stop removing semaphores that are in use")]
    internal static partial void StaleRecordOfLiveOwner(this ILogger logger, string lockName, string jobId, int pid);

    [LoggerMessage(EventId = 4004, EventName = "StaleRecordOfOtherSemaphore", Level = LogLevel.Warning,
        Message = "Lock {LockName}: discarded the record of dead job {JobId} (pid {Pid}) without posting, because it was written for a semaphore of this name that has since been removed; the semaphore now in place is held by someone who wrote no record (a Python process) or is being recovered")]
    internal static partial void StaleRecordOfOtherSemaphore(this ILogger logger, string lockName, string jobId, int pid);

    [LoggerMessage(EventId = 4005, EventName = "OwnerWatchRecoveryFailed", Level = LogLevel.Warning,
        Message = "Lock {LockName}: its owner (pid {Pid}) is gone, but recovering the lock at once failed; waiters recover it at their next probe")]
    internal static partial void OwnerWatchRecoveryFailed(this ILogger logger, string lockName, int pid, Exception exception);

    [LoggerMessage(EventId = 4006, EventName = "LockRecoveredUnderGate", Level = LogLevel.Warning,
        Message = "Recovered lock {LockName}: it was held while its gate was free, so its holder died (last recorded owner: job {JobId}, pid {Pid}; pid 0 when it died before writing a record or after removing it)")]
    internal static partial void LockRecoveredUnderGate(this ILogger logger, string lockName, string jobId, int pid);

    [LoggerMessage(EventId = 5000, EventName = "ManagerCreated", Level = LogLevel.Information,
        Message = "RegistryManager ready: registry {RegistryDirectory}, locks {LockDirectory}, semaphore prefix {Prefix}")]
    internal static partial void ManagerCreated(this ILogger logger, string registryDirectory, string lockDirectory, string prefix);

    [LoggerMessage(EventId = 5001, EventName = "HostRegistered", Level = LogLevel.Information,
        Message = "Registered host {HostName} ({PrimaryIp}, {MacAddress}) on router {RouterName}")]
    internal static partial void HostRegistered(this ILogger logger, string hostName, string primaryIp, string macAddress, string routerName);

    [LoggerMessage(EventId = 5002, EventName = "HostCollision", Level = LogLevel.Information,
        Message = "Did not register host {HostName}: {Reason}")]
    internal static partial void HostCollision(this ILogger logger, string hostName, string reason);

    [LoggerMessage(EventId = 5003, EventName = "HostUnregistered", Level = LogLevel.Information,
        Message = "Unregistered host {HostName}")]
    internal static partial void HostUnregistered(this ILogger logger, string hostName);

    [LoggerMessage(EventId = 5004, EventName = "LeaseAcquired", Level = LogLevel.Debug,
        Message = "Run {RunId} took a {LeaseKind} lease on {Key}; {RefCount} lease(s) now")]
    internal static partial void LeaseAcquired(this ILogger logger, string leaseKind, string runId, string key, int refCount);

    [LoggerMessage(EventId = 5005, EventName = "LeaseReleased", Level = LogLevel.Debug,
        Message = "Run {RunId} released a {LeaseKind} lease on {Key}; {RefCount} lease(s) left, should delete: {ShouldDelete}")]
    internal static partial void LeaseReleased(this ILogger logger, string leaseKind, string runId, string key, int refCount, bool shouldDelete);

    [LoggerMessage(EventId = 5006, EventName = "ManagerDisposed", Level = LogLevel.Information,
        Message = "RegistryManager for {RegistryDirectory} disposed")]
    internal static partial void ManagerDisposed(this ILogger logger, string registryDirectory);
}
