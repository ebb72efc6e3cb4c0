
namespace Tsim.Registry.Tests.Infrastructure;

/// <summary>Runs a body on dedicated threads released together by a barrier, and collects the results.</summary>
internal static class Concurrently
{
    /// <summary>Generous: only a deadlock or a lost wake-up takes this long.</summary>
    private static readonly TimeSpan s_joinTimeout = TimeSpan.FromSeconds(60);

    internal static T[] Run<T>(int threadCount, Func<int, T> body)
    {
        using var barrier = new Barrier(threadCount);
        var results = new T[threadCount];
        var errors = new Exception?[threadCount];
        var threads = new Thread[threadCount];
        for (var i = 0; i < threadCount; i++)
        {
            var index = i;
            threads[i] = new Thread(() =>
            {
                barrier.SignalAndWait();
                try
                {
                    results[index] = body(index);
                }
#pragma warning disable CA1031 // Reported to the test thread below.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    errors[index] = ex;
                }
            })
            { IsBackground = true, Name = $"concurrent-{index}" };
            threads[i].Start();
        }

        foreach (var thread in threads)
        {
            if (!thread.Join(s_joinTimeout))
            {
                throw new TimeoutException($"Thread {thread.Name} did not finish within {s_joinTimeout}: deadlock or lost wake-up.");
            }
        }

        var failures = errors.OfType<Exception>().ToArray();
        return failures.Length > 0 ? throw new AggregateException(failures) : results;
    }
}
