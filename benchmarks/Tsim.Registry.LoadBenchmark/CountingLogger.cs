using Microsoft.Extensions.Logging;

namespace Tsim.Registry.LoadBenchmark;

/// <summary>Counts WARNING and worse, by Python's level names, like bench_py's <c>CountingHandler</c>; writes nothing.</summary>
internal sealed class CountingLogger : ILogger<RegistryManager>
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    internal IReadOnlyDictionary<string, int> Counts
    {
        get
        {
            lock (_counts)
            {
                return new Dictionary<string, int>(_counts, StringComparer.Ordinal);
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var name = logLevel switch
        {
            LogLevel.Warning => "WARNING",
            LogLevel.Error => "ERROR",
            _ => "CRITICAL",
        };
        lock (_counts)
        {
            _counts[name] = _counts.GetValueOrDefault(name) + 1;
        }
    }
}
