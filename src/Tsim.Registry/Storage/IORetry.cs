using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;

namespace Tsim.Registry.Storage;

/// <summary>
/// The specification's <c>retry_attempts</c> and <c>retry_delay</c>: a registry file operation that fails with an I/O
/// error is tried again, and after the last attempt the error surfaces as a <see cref="RegistryException"/>.
/// </summary>
internal sealed class IORetry(int attempts, TimeSpan delay, ILogger logger)
{
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
                if (attempt >= attempts)
                {
                    throw new RegistryException(
                        $"Could not {operation} registry file '{path}' after {attempt} attempt(s): {ex.Message}", ex);
                }

                logger.RegistryIoRetry(path, operation, attempt, attempts, ex);
                Thread.Sleep(delay);
            }
        }
    }
}
