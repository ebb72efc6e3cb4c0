using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Tsim.Registry.Tests.Infrastructure;

/// <summary>One captured log event.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>Captures every log event of every category, at every level.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _entries);

    /// <summary>A logger of <see cref="RegistryManager"/>'s category, for passing to its constructor.</summary>
    public ILogger<RegistryManager> CreateManagerLogger() => new CapturingLogger<RegistryManager>(this);

    public void Dispose()
    {
    }

    private class CapturingLogger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }

    private sealed class CapturingLogger<T>(CapturingLoggerProvider provider)
        : CapturingLogger(typeof(T).FullName!, provider._entries), ILogger<T>;
}
