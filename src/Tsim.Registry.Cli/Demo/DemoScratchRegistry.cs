using System.Globalization;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Cli.Demo;

/// <summary>
/// The registry the demo plays on: its directories and semaphores, refused when already in use (the demo writes) and
/// removed again at the end (unless <c>--keep</c>), leaving directories the operator made where they were.
/// </summary>
internal sealed class DemoScratchRegistry(RegistryManagerOptions options, IReadOnlyList<string> routers)
{
    private readonly List<(string Path, bool Existed)> _directories = [];

    /// <summary>Gets the lock directory the demo's managers use (the library's default unless <c>--lock-dir</c>).</summary>
    internal string LockDirectory => options.EffectiveLockDirectory;

    /// <summary>Gets where the workers' marker files go (<see cref="DemoWorker"/>): inside the registry directory.</summary>
    internal string MarkerDirectory => Path.Combine(options.RegistryDirectory, "demo-markers");

    private IEnumerable<LockName> Locks =>
        [
            LockName.HostsRegistry(options.SemaphorePrefix),
            LockName.HostLeases(options.SemaphorePrefix),
            LockName.NeighborLeases(options.SemaphorePrefix),
            .. routers.Select(r => LockName.Router(options.SemaphorePrefix, r)),
        ];

    /// <summary>Refuses a registry or prefix already in use: the demo writes, and removes what it used at the end.</summary>
    internal void ThrowIfNotFresh()
    {
        foreach (var directory in new[] { options.RegistryDirectory, LockDirectory }.Distinct(StringComparer.Ordinal))
        {
            var existed = Directory.Exists(directory);
            if (existed && Directory.EnumerateFileSystemEntries(directory).Any())
            {
                throw new InvalidOperationException(
                    $"demo plays on a registry of its own and removes it afterwards, but {directory} is not empty. "
                    + "Leave out --registry-dir and --lock-dir, or name a new or empty directory.");
            }

            if (!directory.StartsWith(options.RegistryDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                _directories.Add((directory, existed));
            }
        }

        foreach (var name in Locks)
        {
            using var existing = NamedSemaphore.TryOpenExisting(name.SemaphoreName);
            if (existing is not null)
            {
                throw new InvalidOperationException(
                    $"demo plays with semaphores of its own and unlinks them afterwards, but {name.SemaphoreName} exists (another registry's?). "
                    + "Leave out --prefix, or name an unused one.");
            }
        }
    }

    /// <summary>Unlinks the demo's semaphores and its prefix binding and removes what it created on disk; safe to call twice.</summary>
    /// <returns>What was removed, for the summary.</returns>
    internal string CleanUp()
    {
        var unlinked = Locks.Count(name => NamedSemaphore.Unlink(name.SemaphoreName));
        PrefixBinding.Remove(options.SemaphorePrefix);
        foreach (var (path, existed) in _directories)
        {
            if (!Directory.Exists(path))
            {
                continue;
            }

            if (existed)
            {
                // It was empty before the demo: empty it again, but leave it where the operator made it.
                foreach (var entry in Directory.EnumerateFileSystemEntries(path))
                {
                    if (Directory.Exists(entry))
                    {
                        Directory.Delete(entry, recursive: true);
                    }
                    else
                    {
                        File.Delete(entry);
                    }
                }
            }
            else
            {
                Directory.Delete(path, recursive: true);
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"removed {options.RegistryDirectory} and {unlinked} semaphores of prefix {options.SemaphorePrefix}");
    }
}
