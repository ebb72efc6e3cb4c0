
namespace Tsim.Registry;

/// <summary>Who holds a router lock, from the owner record a C# holder writes next to the lock.</summary>
/// <param name="RouterName">The router.</param>
/// <param name="JobId">The job that holds it.</param>
/// <param name="Pid">The holder's process id.</param>
/// <param name="StartTime">The holder's process start time (field 22 of <c>/proc/PID/stat</c>), to tell it from a later process with the same pid.</param>
/// <param name="AcquiredAt">When the lock was acquired.</param>
public sealed record RouterLockOwner(string RouterName, string JobId, int Pid, long StartTime, DateTimeOffset AcquiredAt);
