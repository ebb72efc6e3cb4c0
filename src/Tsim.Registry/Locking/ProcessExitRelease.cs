using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Tsim.Registry.Locking;

/// <summary>
/// Releases the locks of every live lock manager when the process ends normally, or is told to end by SIGTERM or
/// SIGINT, so that a job runner stopped by its supervisor or by Ctrl+C does not leave routers locked.
/// </summary>
/// <remarks>
/// <para>
/// Measured on .NET 10: a console process killed by SIGTERM or SIGINT does not raise
/// <see cref="AppDomain.ProcessExit"/>, so the signals are registered explicitly. SIGKILL cannot be handled; owner
/// records and <see cref="LockRecovery"/> cover it.
/// </para>
/// <para>
/// Releasing a lock while the process's own job code goes on would let two jobs in. So a signal releases only when
/// no handler that ran before this one cancelled it, and then the process ends right here (exit status 128 + signal,
/// as the default action would) instead of running on. Handlers run last-registered first: one registered before
/// the first manager (a Generic Host's graceful shutdown, <see cref="Console.CancelKeyPress"/>) runs after this one
/// and never gets the chance to keep the process alive. That is why managers built by <c>AddTsimRegistry</c> opt out
/// (the host stops gracefully and disposes the manager, which releases) and why
/// <see cref="RegistryManagerOptions.ReleaseLocksOnSignal"/> exists.
/// </para>
/// </remarks>
internal static class ProcessExitRelease
{
    private static readonly Lock s_gate = new();
    private static readonly Dictionary<LockManager, bool> s_managers = [];
    private static bool s_exitHooked;
    private static PosixSignalRegistration? s_sigterm;
    private static PosixSignalRegistration? s_sigint;

    /// <summary>Registers a manager for release at exit, and on SIGTERM/SIGINT when <paramref name="onSignals"/>.</summary>
    internal static void Register(LockManager manager, bool onSignals)
    {
        lock (s_gate)
        {
            if (!s_exitHooked)
            {
                // Once per process: a handler added per manager would give a stuck registry call its grace once per
                // manager ever created, and exit would wait that many times.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => ReleaseAll(signalOnly: false);
                s_exitHooked = true;
            }

            if (onSignals && s_sigterm is null)
            {
                s_sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminationSignal);
                s_sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnTerminationSignal);
            }

            s_managers[manager] = onSignals;
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
        if (context.Cancel)
        {
            return; // A handler that ran before this one keeps the process alive: it still needs its locks.
        }

        if (!ReleaseAll(signalOnly: true))
        {
            return; // No manager asked for it: leave the signal's default action alone.
        }

        // The locks are gone: end now, before any more job code runs (see the remarks).
        context.Cancel = true;
        Environment.Exit(128 + (context.Signal == PosixSignal.SIGINT ? 2 : 15));
    }

    /// <summary>Releases what the managers hold; returns whether any manager took part.</summary>
    private static bool ReleaseAll(bool signalOnly)
    {
        LockManager[] managers;
        lock (s_gate)
        {
            managers = [.. s_managers.Where(m => !signalOnly || m.Value).Select(m => m.Key)];
        }

        // One grace period for all managers together: each stops new acquisitions first, then the calls in flight
        // of every manager get the same 2 s to finish.
        foreach (var manager in managers)
        {
            manager.BeginExit();
        }

        var start = Stopwatch.GetTimestamp();
        foreach (var manager in managers)
        {
            var left = LockLifetime.RegistryCallGrace - Stopwatch.GetElapsedTime(start);
            manager.ReleaseForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        return managers.Length > 0;
    }
}
