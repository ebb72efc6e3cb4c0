using Tsim.Registry.Testing;
using static Tsim.Registry.TestWorker.Protocol;

namespace Tsim.Registry.TestWorker;

/// <summary>A test process with a <see cref="TemporaryRegistry"/> of its own, for the leftover tests: killed, or disposing.</summary>
internal static class TemporaryRegistryCommands
{
    /// <summary>
    /// <c>temporary-registry PARENT</c>: creates a temporary registry in PARENT, registers host <c>web-1</c> and locks
    /// router <c>r1</c> (semaphores, a lock file, a slot, the binding: everything a test leaves), prints
    /// <c>ready DIRECTORY PREFIX</c>, then on <c>dispose</c> disposes it and prints <c>disposed</c>. Meant to be killed
    /// before that.
    /// </summary>
    internal static int Hold(string[] args)
    {
        if (args.Length != 2)
        {
            throw new UsageException("temporary-registry PARENT");
        }

        var registry = TemporaryRegistry.Create(new TemporaryRegistryOptions { ParentDirectory = args[1] });
        registry.Manager.RegisterHost("web-1", "10.0.0.10", "r1", "02:00:00:00:00:0a");
        if (!registry.Manager.AcquireRouterLock("r1", JobId("temporary"), TimeSpan.Zero))
        {
            throw new InvalidOperationException("r1 of a new temporary registry is held");
        }

        Say($"ready {registry.Directory} {registry.SemaphorePrefix}");
        while (ReadCommand() is { } command)
        {
            if (command == "dispose")
            {
                registry.Dispose();
                Say("disposed");
                return 0;
            }
        }

        return 0;
    }
}
