using System.Diagnostics;
using System.Security.Cryptography;
using Tsim.Registry.Locking;

namespace Tsim.Registry.Tests.Testing;

/// <summary>What the leftover tests plant: the identity of an exited process, and the registry it left behind.</summary>
internal static class Leftovers
{
    /// <summary>The identity of a process that has exited (and been reaped): its pid, with a start time it never had.</summary>
    internal static ProcessIdentity ExitedProcess()
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        process.WaitForExit();
        var current = ProcessIdentity.Current;
        return new ProcessIdentity(process.Id, current.StartTime + 1, current.PidNamespace);
    }

    /// <summary>
    /// Lays out what a test process killed in the middle of a test leaves: a temporary registry's directory named after
    /// <paramref name="creator"/>, with a registry in it, and semaphores of its prefix (a router, the hosts lock, the
    /// binding) that nothing unlinked.
    /// </summary>
    internal static (string Prefix, string Directory) Plant(string parent, ProcessIdentity creator, Action<RegistryManagerOptions>? configure = null)
    {
        var prefix = TemporaryRegistry.PrefixStart + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var directory = Path.Combine(parent, $"{prefix}.{creator.FileNameForm}");
        System.IO.Directory.CreateDirectory(directory);
        var options = new RegistryManagerOptions { RegistryDirectory = Path.Combine(directory, "registry"), SemaphorePrefix = prefix };
        configure?.Invoke(options);
        using (var manager = new RegistryManager(options))
        {
            manager.RegisterHost("web-1", "10.0.0.10", "router-1", "02:00:00:00:00:0a");
            manager.AcquireRouterLock("router-1", "job-1").Should().BeTrue();
        }

        System.IO.Directory.GetFiles("/dev/shm", $"sem.{prefix}-*").Should().HaveCountGreaterThanOrEqualTo(3);
        return (prefix, directory);
    }
}
