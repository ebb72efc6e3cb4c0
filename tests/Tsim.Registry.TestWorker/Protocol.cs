using System.Diagnostics;
using System.Globalization;

namespace Tsim.Registry.TestWorker;

/// <summary>The line protocol with the test: events out on stdout, commands in on stdin.</summary>
internal static class Protocol
{
    /// <summary>Prints one event line and flushes it, so the test sees it before the worker does anything else.</summary>
    internal static void Say(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }

    /// <summary>Reads the next command; <see langword="null"/> when the test closed stdin (or died).</summary>
    internal static string? ReadCommand() => Console.In.ReadLine()?.Trim();

    /// <summary>Prints <c>ready</c> and waits for <c>go</c>, so that all workers of a test start their loops together.</summary>
    internal static void ReadyThenWaitForGo()
    {
        Say("ready");
        var command = ReadCommand();
        if (command != "go")
        {
            throw new UsageException($"expected 'go' on stdin, got '{command ?? "<EOF>"}'");
        }
    }

    /// <summary>
    /// Starts a background thread that reads the next stdin line (<c>stop</c>, or EOF when the test is gone) and then
    /// completes the returned token, so that a loop runs until the test says stop.
    /// </summary>
    internal static CancellationToken StopOnNextCommand()
    {
        var stop = new CancellationTokenSource();
        new Thread(() =>
        {
            ReadCommand();
            stop.Cancel();
        })
        {
            IsBackground = true,
        }.Start();
        return stop.Token;
    }

    /// <summary>A timestamp every process on the machine reads from the same clock (CLOCK_MONOTONIC).</summary>
    internal static string Now() => Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture);

    internal static string Milliseconds(TimeSpan elapsed) =>
        elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture);

    internal static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A job id no other worker uses.</summary>
    internal static string JobId(string kind) => $"{kind}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";
}
