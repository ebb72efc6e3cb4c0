using System.Runtime.InteropServices;

namespace Tsim.Registry;

/// <summary>
/// Releases the locks of every live lock manager when the process ends normally, or is told to end by SIGTERM or
/// SIGINT, so that a job runner stopped by its supervisor or by Ctrl+C does not leave routers locked.
/// </summary>
/// <remarks>
/// Measured on .NET 10: a console process killed by SIGTERM or SIGINT does not raise
/// <see cref="AppDomain.ProcessExit"/>, so the signals are registered explicitly. Handlers run last-registered
/// first and share one context: a handler registered later (for example <see cref="Console.CancelKeyPress"/>)
/// that cancels the signal runs before this one, and then nothing is released because the process goes on.
/// SIGKILL cannot be handled; owner records and <see cref="LockRecovery"/> cover it.
/// </remarks>
internal static class ProcessExitRelease
{
    /// <summary>
    /// How long an exiting process lets registry calls in flight finish: they take milliseconds, and releasing their
    /// lock under a write in progress would let another process write over it.
    /// </summary>
    private static readonly TimeSpan s_registryCallGrace = TimeSpan.FromSeconds(2);

    private static readonly Lock s_gate = new();
    private static readonly HashSet<LockManager> s_managers = [];
    private static PosixSignalRegistration? s_sigterm;
    private static PosixSignalRegistration? s_sigint;

    internal static void Register(LockManager manager)
    {
        lock (s_gate)
        {
            if (s_sigterm is null)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => ReleaseAll();
                s_sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminationSignal);
                s_sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnTerminationSignal);
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

    private static void OnTerminationSignal(PosixSignalContext context)
    {
        // Not cancelled by a handler that ran before: the default action (terminate) follows this handler.
        if (!context.Cancel)
        {
            ReleaseAll();
        }
    }

    private static void ReleaseAll()
    {
        LockManager[] managers;
        lock (s_gate)
        {
            managers = [.. s_managers];
        }

        foreach (var manager in managers)
        {
            manager.ReleaseForExit(s_registryCallGrace);
        }
    }
}
