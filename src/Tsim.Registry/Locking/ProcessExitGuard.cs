namespace Tsim.Registry.Locking;

/// <summary>
/// What a process does with its locks when it ends: nothing but refuse new acquisitions. A lock is never posted by an
/// exiting process; it is taken over by the waiters once the process is gone.
/// </summary>
/// <remarks>
/// <para>
/// Releasing at exit (on SIGTERM, SIGINT or a normal exit, as earlier versions did) hands a router to a waiter while
/// threads of the holder still run: <see cref="AppDomain.ProcessExit"/> handlers and <see cref="Environment.Exit"/>
/// run beside the job's other threads, which go on using the router. Only the kernel knows when no thread of a
/// process can run any more, and it says so through the process's pidfd: <see cref="OwnerDeathWatch"/> recovers a
/// lock within milliseconds of that moment for every waiting C# process, and any later acquirer recovers it at its
/// first try (the owner record names a dead process). SIGTERM and SIGINT keep their default action.
/// </para>
/// <para>
/// What that costs: a Python process (which never recovers a lock) waiting for a router whose C# holder exited without
/// releasing it waits until a C# process touches that lock (an acquisition, a wait, or <c>tsim-registry unlock</c>).
/// A job runner that releases (or disposes its manager) before it ends, as it should, is not affected.
/// </para>
/// </remarks>
internal static class ProcessExitGuard
{
    private static readonly Lock s_gate = new();
    private static readonly HashSet<LockManager> s_managers = [];
    private static bool s_exitHooked;

    /// <summary>Registers a manager, so that it refuses new acquisitions once the process exits.</summary>
    internal static void Register(LockManager manager)
    {
        lock (s_gate)
        {
            if (!s_exitHooked)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => BeginExitAll();
                s_exitHooked = true;
            }

            s_managers.Add(manager);
        }
    }

    internal static void Unregister(LockManager manager)
    {
        lock (s_gate)
        {
            s_managers.Remove(manager);
        }
    }

    private static void BeginExitAll()
    {
        LockManager[] managers;
        lock (s_gate)
        {
            managers = [.. s_managers];
        }

        foreach (var manager in managers)
        {
            manager.BeginExit();
        }
    }
}
