using Microsoft.Extensions.Logging;

namespace Tsim.Registry.Cli.Logging;

/// <summary>
/// A minimal logger writing <c>LEVEL message</c> lines to stderr, the format of the Python client's
/// <c>logging.Formatter("%(levelname)s %(message)s")</c>; stdout stays reserved for results.
/// </summary>
/// <typeparam name="T">The category, as <see cref="ILogger{TCategoryName}"/> requires.</typeparam>
internal sealed class StderrLogger<T> : ILogger<T>
{
    private readonly TextWriter _error;
    private readonly LogLevel _minimumLevel;

    internal StderrLogger(TextWriter error, LogLevel minimumLevel)
    {
        _error = error;
        _minimumLevel = minimumLevel;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= _minimumLevel;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = $"{LevelName(logLevel)} {formatter(state, exception)}";
        _error.WriteLine(exception is null ? line : $"{line}: {exception.GetType().Name}: {exception.Message}");
    }

    /// <summary>
    /// Python's level names, so that logs of both sides read alike, in brackets: a line that starts with
    /// <c>ERROR &lt;ExceptionType&gt;:</c> is the command's error result and nothing else.
    /// </summary>
    private static string LevelName(LogLevel logLevel) => logLevel switch
    {
        LogLevel.Trace or LogLevel.Debug => "[DEBUG]",
        LogLevel.Information => "[INFO]",
        LogLevel.Warning => "[WARNING]",
        LogLevel.Error => "[ERROR]",
        _ => "[CRITICAL]",
    };
}
