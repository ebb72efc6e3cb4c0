using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Tsim.Registry.Locking;
using Tsim.Registry.Security;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>What the crash-safety tests share: their registry naming, lock paths, identities and merged worker output.</summary>
internal static class CrashSupport
{
    /// <summary>A registry of the test's own (a temporary registry).</summary>
    internal static RegistryFixture CreateRegistry() => new();

    /// <summary>The owner record JSON in a router's slot, or <see langword="null"/> when there is none.</summary>
    internal static string? RouterRecord(RegistryFixture registry, string router) => registry.SlotRecord($"router-{router}");

    /// <summary>Rewrites a router's owner record in its slot, as a holder writes it.</summary>
    internal static void WriteRouterRecord(RegistryFixture registry, string router, string text)
    {
        using var slot = OwnerRecordSlot.Open(registry.SlotPath($"router-{router}"), AccessPolicy.Private, create: true)!;
        slot.Write(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// Leaves a held router without any record, as a holder killed between its wait and its record does: no slot
    /// record and no lock file.
    /// </summary>
    internal static void EraseRouterRecord(RegistryFixture registry, string router)
    {
        File.Delete(registry.LockFilePath($"router-{router}"));
        using var slot = OwnerRecordSlot.Open(registry.SlotPath($"router-{router}"), AccessPolicy.Private, create: true)!;
        slot.Clear();
    }

    /// <summary>Leaves a router's slot as a holder killed in the middle of writing its record does: an odd sequence, half a record.</summary>
    internal static void TearRouterRecord(RegistryFixture registry, string router)
    {
        var path = registry.SlotPath($"router-{router}");
        var half = Encoding.UTF8.GetBytes(RouterRecord(registry, router) ?? "{\"lock\":").AsSpan(0, 8).ToArray();
        SlotFile.WriteRaw(path, SlotFile.Sequence(path) + 1, half.Length, half);
    }

    /// <summary>Value of <c>/PREFIX-LOCK</c>: 1 free, 0 held, -1 when the semaphore does not exist.</summary>
    internal static int SemaphoreValue(RegistryFixture registry, string lockSuffix)
    {
        using var semaphore = NamedSemaphore.TryOpenExisting(registry.Lock(lockSuffix).SemaphoreName);
        return semaphore?.GetValue() ?? -1;
    }

    /// <summary>This process's pid namespace (<c>pid:[inode]</c>) and start time (field 22 of /proc/self/stat).</summary>
    internal static (string PidNamespace, long StartTime) SelfIdentity()
    {
        var pidNamespace = new FileInfo("/proc/self/ns/pid").LinkTarget ?? throw new InvalidOperationException("no pid namespace");
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (pidNamespace, long.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    /// <summary>The Stopwatch/CLOCK_MONOTONIC time the workers print, in milliseconds between two stamps.</summary>
    internal static double Milliseconds(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    internal static string Summary(IReadOnlyCollection<double> values) =>
        values.Count == 0
            ? "none"
            : string.Create(CultureInfo.InvariantCulture, $"min {values.Min():F1} ms, median {values.Order().ElementAt(values.Count / 2):F1} ms, max {values.Max():F1} ms");
}

/// <summary>
/// The stdout lines of several workers in one stream, each tagged with its worker, so a test can wait for the next
/// event of any of them. A worker that exits or is killed simply stops contributing.
/// </summary>
internal sealed class MergedLines
{
    private readonly Channel<(WorkerProcess Worker, string Line)> _lines = Channel.CreateUnbounded<(WorkerProcess, string)>();

    internal void Add(WorkerProcess worker) => _ = Task.Run(async () =>
    {
        try
        {
            while (true)
            {
                _lines.Writer.TryWrite((worker, await worker.ReadLineAsync(Timeout.InfiniteTimeSpan)));
            }
        }
        catch (InvalidOperationException)
        {
            // Output ended: the worker exited or was killed.
        }
    });

    /// <summary>The next line of any worker, or <see langword="null"/> when none comes within <paramref name="timeout"/>.</summary>
    internal async Task<(WorkerProcess Worker, string Line)?> ReadAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            return await _lines.Reader.ReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
