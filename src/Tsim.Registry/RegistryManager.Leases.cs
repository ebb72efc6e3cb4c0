using Tsim.Registry.Diagnostics;
using Tsim.Registry.Locking;
using Tsim.Registry.Storage;

namespace Tsim.Registry;

public sealed partial class RegistryManager
{
    /// <summary>The highest DSCP value: the field is six bits wide.</summary>
    private const int MaxDscp = 63;

    /// <summary>
    /// Takes a lease on a registered source host for the calling process: one more reference that keeps the host
    /// alive. Same as <see cref="AcquireSourceHostLease(string, string, string, string, int?, LeaseOwner?)"/> with no
    /// owner.
    /// </summary>
    /// <param name="runId">The run taking the lease.</param>
    /// <param name="hostName">The registered host.</param>
    /// <param name="jobType">The job type recorded with the lease (<c>quick</c> or <c>detailed</c> in Tsim).</param>
    /// <param name="routerName">The router the host is connected to; must match its registration.</param>
    /// <param name="dscp">The DSCP value of a quick job, 0 to 63, or <see langword="null"/>.</param>
    /// <returns>The host's lease count after this lease (at least 1).</returns>
    /// <exception cref="ArgumentException">An argument is invalid, or <paramref name="routerName"/> is not the host's router.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dscp"/> is outside 0 to 63.</exception>
    /// <exception cref="RegistryNotFoundException">The host is not registered.</exception>
    /// <exception cref="RegistryLockTimeoutException">A registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">A registry file does not parse.</exception>
    public int AcquireSourceHostLease(string runId, string hostName, string jobType, string routerName, int? dscp) =>
        AcquireSourceHostLease(runId, hostName, jobType, routerName, dscp, owner: null);

    /// <inheritdoc />
    public int AcquireSourceHostLease(string runId, string hostName, string jobType, string routerName, int? dscp = null, LeaseOwner? owner = null)
    {
        NameRules.ThrowIfInvalidId(runId, nameof(runId));
        NameRules.ThrowIfInvalidName(hostName, nameof(hostName));
        NameRules.ThrowIfInvalidId(jobType, nameof(jobType));
        NameRules.ThrowIfInvalidName(routerName, nameof(routerName));
        if (dscp is { } value)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(dscp));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxDscp, nameof(dscp));
        }

        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("acquire_host_lease");

        var process = OwnerIdentity(owner);
        var lease = new HostLeaseRecord
        {
            RunId = runId,
            Pid = process.Pid,
            JobType = jobType,
            Dscp = dscp,
            AllocatedAt = UnixNow(),
            PidStartTime = process.StartTime,
            PidNamespace = process.PidNamespace,
        };

        // The host lease lock is taken while the hosts lock is held (always in that order), so the host cannot be
        // unregistered between the check and the lease.
        var refCount = _documents.Hosts.WithHostLocked(hostName, host =>
        {
            if (host is null)
            {
                throw new RegistryNotFoundException($"Host '{hostName}' is not registered; register it before taking a lease on it.");
            }

            if (host.ConnectedTo is { } registeredRouter && !string.Equals(registeredRouter, routerName, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"routerName must be the router host '{hostName}' is connected to ('{registeredRouter}'), got '{routerName}'.",
                    nameof(routerName));
            }

            return _documents.HostLeases.Add(hostName, () => new HostLeaseEntry { Router = routerName }, lease);
        });

        _logger.LeaseAcquired("host", runId, hostName, refCount);
        Audit("acquire_host_lease", w =>
        {
            w.WriteString("run_id", runId);
            w.WriteString("host_name", hostName);
            w.WriteNumber("ref_count", refCount);
        });
        return operation.Complete(refCount);
    }

    /// <inheritdoc />
    public LeaseRelease ReleaseSourceHostLease(string runId, string hostName)
    {
        NameRules.ThrowIfInvalidId(runId, nameof(runId));
        NameRules.ThrowIfInvalidName(hostName, nameof(hostName));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("release_host_lease");

        var result = _documents.HostLeases.Release(hostName, runId)
            ?? throw new RegistryNotFoundException($"Run '{runId}' holds no lease on host '{hostName}'.");

        OnLeaseReleased("release_host_lease", "host", runId, hostName, neighborIp: null, hostName, result);
        return operation.Complete(result);
    }

    /// <inheritdoc />
    public int GetHostLeaseCount(string hostName)
    {
        NameRules.ThrowIfInvalidName(hostName, nameof(hostName));
        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("get_host_lease_count");
        return operation.Complete(_documents.HostLeases.Snapshot().TryGetValue(hostName, out var entry) ? entry.Leases.Count : 0);
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, HostLeases> ListHostLeases(string? hostName = null)
    {
        if (hostName is not null)
        {
            NameRules.ThrowIfInvalidName(hostName, nameof(hostName));
        }

        ThrowIfDisposed();
        using var operation = RegistryTelemetry.StartOperation("list_host_leases");
        var result = new Dictionary<string, HostLeases>(StringComparer.Ordinal);
        foreach (var (name, entry) in _documents.HostLeases.Snapshot())
        {
            if (hostName is null || string.Equals(name, hostName, StringComparison.Ordinal))
            {
                result[name] = new HostLeases(name, entry.Router, [.. entry.Leases.Select(ToHostLease)]);
            }
        }

        return operation.Complete(result);
    }

    /// <summary>Logs a released host or neighbour lease and appends its audit line, in the specification's shape.</summary>
    private void OnLeaseReleased(string operation, string kind, string runId, string hostName, string? neighborIp, string key, LeaseRelease result)
    {
        _logger.LeaseReleased(kind, runId, key, result.RefCount, result.ShouldDelete);
        Audit(operation, w =>
        {
            w.WriteString("run_id", runId);
            w.WriteString("host_name", hostName);
            if (neighborIp is not null)
            {
                w.WriteString("neighbor_ip", neighborIp);
            }

            w.WriteNumber("ref_count", result.RefCount);
            w.WriteBoolean("should_delete", result.ShouldDelete);
        });
    }

    /// <summary>What a lease records of its owner: the given one, or this process.</summary>
    private static ProcessIdentity OwnerIdentity(LeaseOwner? owner) => owner?.Identity ?? ProcessIdentity.Current;

    private static HostLease ToHostLease(HostLeaseRecord record) =>
        new(record.RunId, record.Pid, record.JobType, record.Dscp, FromUnixSeconds(record.AllocatedAt));
}
