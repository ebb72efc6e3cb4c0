
namespace Tsim.Registry;

/// <summary>One lease on a source host, as stored in <c>host_leases.json</c>.</summary>
/// <param name="RunId">The run that holds the lease.</param>
/// <param name="Pid">The process that took the lease.</param>
/// <param name="JobType">The job type given when the lease was taken (<c>quick</c> or <c>detailed</c> in Tsim).</param>
/// <param name="Dscp">The DSCP value of a quick job, if any.</param>
/// <param name="AllocatedAt">When the lease was taken.</param>
public sealed record HostLease(string RunId, int Pid, string? JobType, int? Dscp, DateTimeOffset AllocatedAt);
