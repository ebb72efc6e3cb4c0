namespace Tsim.Registry.Storage;

/// <summary>What host and neighbour lease records share: who took the lease, and how to tell whether it still runs.</summary>
internal interface ILeaseRecord
{
    string RunId { get; }

    int Pid { get; }

    double AllocatedAt { get; }

    long? PidStartTime { get; }

    string? PidNamespace { get; }
}

/// <summary>What host and neighbour lease entries share: their list of leases.</summary>
internal interface ILeaseEntry<TRecord>
    where TRecord : ILeaseRecord
{
    List<TRecord> Leases { get; }
}
