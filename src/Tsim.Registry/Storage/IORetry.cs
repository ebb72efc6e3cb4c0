using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;

namespace Tsim.Registry.Storage;

/// <summary>
/// The specification's <c>retry_attempts</c> and <c>retry_delay</c>: a registry file operation that fails with an I/O
/// error is tried again, and after the last attempt the error surfaces as a <see cref="RegistryException"/>.
/// </summary>
internal sealed class IORetry
{
    private readonly int _attempts;
    private readonly TimeSpan _delay;
    private readonly ILogger _logger;

    internal IORetry(int attempts, TimeSpan delay, ILogger logger)
    {
        _attempts = attempts;
        _delay = delay;
        _logger = logger;
    }

    /// <exception cref="RegistryException">Every attempt failed with an I/O or access error.</exception>
    internal TResult Run<TResult>(string path, string operation, Func<TResult> action)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return action();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (attempt >= _attempts)
                {
                    throw new RegistryException(
                        $"Could not {operation} registry file '{path}' after {attempt} attempt(s): {ex.Message}", ex);
                }

                _logger.RegistryIoRetry(path, operation, attempt, _attempts, ex);
                Thread.Sleep(_delay);
            }
        }
    }
}
