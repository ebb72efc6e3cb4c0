using System.Runtime.InteropServices;

namespace Tsim.Registry.Cli.Commands;

/// <summary>
/// The <c>--hold</c> of <c>lock</c> and <c>lock-all</c>. SIGINT and SIGTERM end the hold early instead of killing the
/// process, so that the lock is still released (owner record deleted, waiters notified) on the way out.
/// </summary>
internal static class LockHold
{
    /// <param name="seconds">0: no hold; negative: until a line or end of file on <paramref name="input"/>; else seconds.</param>
    /// <param name="input">Where a negative hold reads its release line (stdin).</param>
    internal static void Wait(double seconds, TextReader input)
    {
        if (seconds == 0)
        {
            return;
        }

        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        if (seconds > 0)
        {
            stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(seconds));
            return;
        }

        // A blocking read cannot be cancelled; it runs on a pool thread that is abandoned when a signal ends the hold.
        var line = Task.Run(input.ReadLine);
        try
        {
            line.Wait(stop.Token);
        }
        catch (OperationCanceledException)
        {
            // A signal: release now.
        }
    }
}
