using System.Buffers.Binary;
using System.Diagnostics;
using static Tsim.Registry.TestWorker.Protocol;

namespace Tsim.Registry.TestWorker;

/// <summary>Commands around the mapped owner record slots (registries with <c>--no-shared-with-python</c>).</summary>
internal static class SlotCommands
{
    private const int ReaderThreads = 4;

    /// <summary>
    /// <c>dispose-race ROUTER ITERATIONS --no-shared-with-python</c>: holds ROUTER with the command's manager, then
    /// ITERATIONS times (at most 2 s) builds another manager, lets <see cref="ReaderThreads"/> threads call
    /// <see cref="RegistryManager.GetRouterLockOwner"/> on it in a loop and disposes it under them. A call that
    /// starts after the Dispose may throw <see cref="ObjectDisposedException"/>; nothing may crash the process.
    /// Prints <c>survived ITERATIONS CALLS</c> and exits 0. A manager that unmaps an owner record slot while another
    /// thread still reads it ends the process with SIGSEGV (an AccessViolationException is not catchable).
    /// </summary>
    /// <remarks>
    /// The holder's slot is given an odd sequence, as a holder killed in the middle of writing leaves it: every read
    /// then spins inside the mapped page for its whole retry budget instead of a few hundred nanoseconds, which widens
    /// the window to something a test can hit every run. The race itself does not depend on it.
    /// </remarks>
    internal static int DisposeRace(RegistryManager holder, WorkerArguments arguments)
    {
        var router = arguments.Positional(0, "router");
        var iterations = arguments.PositionalInt(1, "iterations");
        var job = JobId("race");
        if (!holder.AcquireRouterLock(router, job, TimeSpan.FromSeconds(10)))
        {
            Say("timeout");
            return 1;
        }

        var slot = Path.Combine(holder.LockDirectory, $".{holder.SemaphorePrefix}-router-{router}.owner");
        if (!File.Exists(slot))
        {
            throw new UsageException("dispose-race needs --no-shared-with-python (the router's record must be in a slot)");
        }

        WriteOddSequence(slot);

        long calls = 0;
        var clock = Stopwatch.StartNew();
        var done = 0;
        for (; done < iterations && clock.Elapsed < TimeSpan.FromSeconds(2); done++)
        {
            var reader = Program.CreateManager(arguments);
            reader.GetRouterLockOwner(router); // Maps the slot before the readers start.
            var stop = 0;
            using var started = new CountdownEvent(ReaderThreads);
            var threads = Enumerable.Range(0, ReaderThreads).Select(_ => new Thread(() =>
            {
                started.Signal();
                while (Volatile.Read(ref stop) == 0)
                {
                    try
                    {
                        reader.GetRouterLockOwner(router);
                        Interlocked.Increment(ref calls);
                    }
                    catch (ObjectDisposedException)
                    {
                        // Documented for a call on a disposed manager.
                    }
                }
            })
            { IsBackground = true }).ToList();
            threads.ForEach(t => t.Start());
            started.Wait();

            reader.Dispose();
            Volatile.Write(ref stop, 1);
            threads.ForEach(t => t.Join());
        }

        holder.ReleaseRouterLock(router, job);
        Say($"survived {Number(done)} {calls.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return 0;
    }

    /// <summary>Makes the slot's 8-byte sequence odd through the file (the page cache every mapping shares).</summary>
    private static void WriteOddSequence(string slot)
    {
        using var handle = File.OpenHandle(slot, FileMode.Open, FileAccess.ReadWrite);
        Span<byte> sequence = stackalloc byte[8];
        RandomAccess.Read(handle, sequence, 0);
        BinaryPrimitives.WriteInt64LittleEndian(sequence, BinaryPrimitives.ReadInt64LittleEndian(sequence) | 1);
        RandomAccess.Write(handle, sequence, 0);
    }
}
