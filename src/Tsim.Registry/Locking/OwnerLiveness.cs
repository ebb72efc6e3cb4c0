namespace Tsim.Registry.Locking;

/// <summary>What can be said about the process an owner record names.</summary>
internal enum OwnerLiveness
{
    /// <summary>The process runs: same pid, same start time, same pid namespace as ours.</summary>
    Alive,

    /// <summary>The pid is gone, a zombie, or reused by a process with another start time.</summary>
    Dead,

    /// <summary>
    /// Cannot be judged here, so never taken for dead: the record names a process of another pid namespace (or ours
    /// is unknown), this process's <c>/proc</c> is of another pid namespace, or the start times differ but were read
    /// in time namespaces that may offset them differently.
    /// </summary>
    Unknown,
}
