using System.Diagnostics;
using System.Globalization;
using static Tsim.Registry.TestWorker.Protocol;

namespace Tsim.Registry.TestWorker;

/// <summary>
/// Commands for the dispose-under-writes tests: one process disposes managers while another thread of it registers
/// hosts, another process registers hosts of its own, and the test checks that every registration reported
/// <see langword="true"/> is in <c>hosts.json</c> afterwards.
/// </summary>
internal static class DisposeCommands
{
    /// <summary>Host indexes one trial of <c>register-then-dispose</c> may use: far more than a trial registers.</summary>
    private const int IndexesPerTrial = 100_000;

    private static readonly string s_router = "r1";

    /// <summary>
    /// <c>register-then-dispose TRIALS BASE [--max-delay-us N] [--seed S]</c>: after <c>go</c> on stdin, TRIALS times
    /// builds a manager, lets a thread register hosts <see cref="HostAddresses"/>(BASE + trial × 100,000 + i) on it in
    /// a loop, and once the first call has returned waits a random 0..N µs (default 2,000) and disposes the manager
    /// under the thread. Prints <c>registered NAME</c> for every call that returned <see langword="true"/>, then per
    /// trial <c>trial T overlapped|clean</c> (overlapped: a call that returned normally was running when Dispose was
    /// called) and waits for <c>next</c> on stdin; at the end <c>done</c>. A call on the disposed manager throws
    /// <see cref="ObjectDisposedException"/>, which ends the thread; any other exception is printed as
    /// <c>error TYPE MESSAGE</c>.
    /// </summary>
    internal static int RegisterThenDispose(WorkerArguments arguments)
    {
        var trials = arguments.PositionalInt(0, "trials");
        var first = arguments.PositionalInt(1, "base index");
        var maxDelayMicroseconds = arguments.OptionalInt("--max-delay-us", 2_000);
        var random = new Random(arguments.OptionalInt("--seed", Environment.ProcessId));

        ReadyThenWaitForGo();
        for (var trial = 0; trial < trials; trial++)
        {
            var manager = Program.CreateManager(arguments);
            var trialBase = first + (trial * IndexesPerTrial);
            long disposeCalledAt = 0;
            var overlapped = false;
            using var firstCallDone = new ManualResetEventSlim();
            var registrar = new Thread(() =>
            {
                for (var i = 0; ; i++)
                {
                    var index = trialBase + i;
                    var callStart = Stopwatch.GetTimestamp();
                    try
                    {
                        if (manager.CheckAndRegisterHost(HostAddresses.Name(index), HostAddresses.Ip(index), s_router, HostAddresses.Mac(index)))
                        {
                            Say($"registered {HostAddresses.Name(index)}");
                        }
                    }
                    catch (ObjectDisposedException)
                    {
                        return; // Documented for a call on a disposed manager: this trial is over.
                    }
                    catch (Exception ex) when (ex is RegistryException or InvalidOperationException or IOException)
                    {
                        Say($"error {ex.GetType().Name} {ex.Message.ReplaceLineEndings(" ")}");
                        return;
                    }
                    finally
                    {
                        firstCallDone.Set();
                    }

                    var callEnd = Stopwatch.GetTimestamp();
                    var disposedAt = Volatile.Read(ref disposeCalledAt);
                    if (disposedAt != 0 && callStart < disposedAt && disposedAt < callEnd)
                    {
                        overlapped = true;
                    }
                }
            })
            {
                IsBackground = true,
            };
            registrar.Start();
            firstCallDone.Wait();

            SpinFor(random.Next(maxDelayMicroseconds + 1));
            Volatile.Write(ref disposeCalledAt, Stopwatch.GetTimestamp());
            manager.Dispose();
            registrar.Join();

            Say($"trial {Number(trial)} {(overlapped ? "overlapped" : "clean")}");
            var command = ReadCommand();
            if (command != "next")
            {
                throw new UsageException($"expected 'next' on stdin, got '{command ?? "<EOF>"}'");
            }
        }

        Say("done");
        return 0;
    }

    /// <summary>
    /// <c>register-until-stop BASE</c>: after <c>go</c> on stdin, registers hosts <see cref="HostAddresses"/>(BASE + i)
    /// one after the other until the stdin line <c>stop</c>, printing <c>registered NAME</c> for every call that
    /// returned <see langword="true"/>; then <c>done COUNT</c>.
    /// </summary>
    internal static int RegisterUntilStop(RegistryManager manager, WorkerArguments arguments)
    {
        var first = arguments.PositionalInt(0, "base index");

        ReadyThenWaitForGo();
        var stop = StopOnNextCommand();

        var registered = 0;
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var index = first + i;
            if (manager.CheckAndRegisterHost(HostAddresses.Name(index), HostAddresses.Ip(index), s_router, HostAddresses.Mac(index)))
            {
                registered++;
                Say($"registered {HostAddresses.Name(index)}");
            }
        }

        Say($"done {registered.ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }

    /// <summary>Busy-waits: a sleep is at least a scheduler tick, far coarser than one registration.</summary>
    private static void SpinFor(int microseconds)
    {
        var until = Stopwatch.GetTimestamp() + (microseconds * Stopwatch.Frequency / 1_000_000);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(20);
        }
    }
}
