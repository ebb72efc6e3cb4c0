namespace Tsim.Registry.Locking;

/// <summary>What can be said about the process an owner record names.</summary>
internal enum OwnerLiveness
{
    /// <summary>The process runs: same pid, same start time, same pid namespace as ours.</summary>
    Alive,

    /// <summary>The pid is gone, a zombie, or reused by a process with another start time.</summary>
    Dead,

    /// <summary>The record names a process of another pid namespace (or ours is unknown): its pid means nothing here.</summary>
    Unknown,
}
