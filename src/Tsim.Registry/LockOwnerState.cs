
namespace Tsim.Registry;

/// <summary>What is known about the process that holds a lock.</summary>
public enum LockOwnerState
{
    /// <summary>The holder wrote no owner record (a Python process, or a C# holder in the microseconds around its wait).</summary>
    NoRecord,

    /// <summary>The recorded owner runs.</summary>
    Alive,

    /// <summary>The recorded owner died (or its pid was reused): the next waiter recovers the lock.</summary>
    Dead,

    /// <summary>
    /// The recorded owner's liveness cannot be judged here: it belongs to another pid namespace, this process's
    /// <c>/proc</c> is of another pid namespace, or its start time differs but was read in another time namespace.
    /// Never recovered automatically.
    /// </summary>
    Unknown,
}
