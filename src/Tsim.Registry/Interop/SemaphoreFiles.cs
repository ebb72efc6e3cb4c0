using System.Globalization;

namespace Tsim.Registry.Interop;

/// <summary>
/// Where glibc keeps a named semaphore: sem_open("/NAME") maps the file <c>/dev/shm/sem.NAME</c> (glibc's
/// <c>__shm_get_name</c>, sysdeps/posix/shm-directory.c). This library opens and maps that file itself
/// (NamedSemaphore), so that it uses exactly the object its ownership checks judged; Python's sem_open maps the same.
/// </summary>
internal static class SemaphoreFiles
{
    /// <summary>NAME_MAX from &lt;linux/limits.h&gt;: the longest file name.</summary>
    internal const int NAME_MAX = 255;

    /// <summary>The longest semaphore name (without its '/'): the file name <c>sem.NAME</c> must fit NAME_MAX.</summary>
    internal const int MaxNameLength = NAME_MAX - 4;

    /// <summary>Gets the file behind a semaphore.</summary>
    /// <param name="semaphoreName">The semaphore's name, with or without its leading '/'.</param>
    internal static string PathOf(string semaphoreName) => "/dev/shm/sem." + semaphoreName.TrimStart('/');

    /// <summary>
    /// Gets a name in <c>/dev/shm</c> for a semaphore being prepared (<c>NamedSemaphore.TryCreate</c>): hidden, and not
    /// <c>sem.*</c>, so that nothing that lists semaphores ever sees it; short, so that it fits whatever the name; and
    /// random, as glibc's own, so that a name left by a killed process (a later process may have its pid) is only ever
    /// a retry away (the caller creates it with O_EXCL).
    /// </summary>
    internal static string TemporaryPath() =>
        string.Create(CultureInfo.InvariantCulture, $"/dev/shm/.tsim-sem.{Environment.ProcessId}.{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6))}");
}
