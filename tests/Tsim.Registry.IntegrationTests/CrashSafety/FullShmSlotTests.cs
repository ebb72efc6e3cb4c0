using System.Diagnostics;
using Tsim.Registry.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// A full lock directory file system (a 64 KiB tmpfs, standing for a full <c>/dev/shm</c>, e.g. a container's 64 MiB
/// default): the first write to a new owner record slot faults in its page, which tmpfs cannot allocate, so the
/// access raises SIGBUS. With record files, the same situation was a write(2) failing with ENOSPC: an exception,
/// the semaphore posted back, nothing held. These tests expect that behaviour to be kept.
/// </summary>
/// <remarks>
/// The small tmpfs is mounted in a private user and mount namespace (<c>unshare -Urm</c>), so no privilege is needed
/// and nothing outlives the script; the semaphores stay in the real <c>/dev/shm</c>, where this process checks them.
/// Where unprivileged user namespaces are unavailable the tests only say so and pass.
/// </remarks>
public sealed class FullShmSlotTests(ITestOutputHelper output) : IDisposable
{
    private const string Script = """
        set -u
        mount -t tmpfs -o size=64k tsim-full "$1" || { echo "no-mount"; exit 0; }
        mkdir -m 700 -p "$1/reg/locks"
        head -c 1048576 /dev/zero > "$1/fill" 2>/dev/null
        shift
        dotnet="$1"; worker="$2"; dir="$3/reg"; prefix="$4"; shift 4
        # The first process to take the lock, then a second one that only waits for it (probing its owner record).
        echo go | "$dotnet" "$worker" "$@" first --registry-dir "$dir" --prefix "$prefix" --registry-timeout 5 --probe-interval 0.05 >/dev/null 2>&1
        echo "first-exit $?"
        echo go | "$dotnet" "$worker" "$@" second --registry-dir "$dir" --prefix "$prefix" --registry-timeout 1 --probe-interval 0.05 >/dev/null 2>&1
        echo "second-exit $?"
        """;

    private readonly RegistryFixture _registry = CrashSupport.CreateRegistry();

    public void Dispose() => _registry.Dispose();

    [Fact]
    public async Task NotSharedRouterLock_LockDirectoryFull_NoProcessDiesAndTheRouterIsNotLeftHeld()
    {
        // lock ROUTER JOB: a worker that acquired releases on its next stdin line.
        var exits = await RunOnFullTmpfsAsync(["lock", "r1", "--timeout", "2", "--no-shared-with-python"]);
        if (exits is null)
        {
            return;
        }

        exits.Value.First.Should().BeOneOf([0, 1, 2], "the holder must not die of SIGBUS (SIGABRT after the runtime's fatal AccessViolationException) while it holds the semaphore");
        exits.Value.Second.Should().BeOneOf([0, 1, 2], "a waiter probing the record must not die either");
        CrashSupport.SemaphoreValue(_registry, "router-r1").Should().Be(1, "the router must not stay held by a dead process without a record");
    }

    [Fact]
    public async Task Registration_DefaultOptions_LockDirectoryFull_NoProcessDiesAndTheHostsLockIsNotLeftHeld()
    {
        // Default options (shared with Python): the registry locks keep their records in slots all the same.
        var exits = await RunOnFullTmpfsAsync(["register-range", "0", "1"]);
        if (exits is null)
        {
            return;
        }

        exits.Value.First.Should().BeOneOf([0, 1, 2], "a registration must fail with RegistryException, not end the process while it holds the hosts lock");
        exits.Value.Second.Should().BeOneOf([0, 1, 2], "a second registration probing the hosts lock's record must not die either");
        CrashSupport.SemaphoreValue(_registry, "hosts-registry").Should().Be(1, "the hosts lock must not stay held by a dead process without a record");
    }

    /// <returns>The exit codes of the two workers, or <see langword="null"/> when no tmpfs could be mounted here.</returns>
    private async Task<(int First, int Second)?> RunOnFullTmpfsAsync(string[] workerArguments)
    {
        var mountPoint = _registry.CreateScratchDirectory("small");
        var dotnet = ChildProcess.DotnetHost();
        var worker = Path.Combine(AppContext.BaseDirectory, "Tsim.Registry.TestWorker.dll");
        string[] arguments = ["-Urm", "sh", "-c", Script, "sh", mountPoint, dotnet, worker, mountPoint, _registry.Prefix, .. workerArguments];

        Process? probe;
        try
        {
            probe = Process.Start("unshare", ["-Urm", "true"]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            probe = null;
        }

        using (probe)
        {
            if (probe is null || !probe.WaitForExit(10_000) || probe.ExitCode != 0)
            {
                output.WriteLine("unshare -Urm is not available here: nothing to test.");
                return null;
            }
        }

        using var script = ChildProcess.Start("unshare", arguments, "unshare");
        var first = await script.ReadLineAsync(TimeSpan.FromSeconds(60));
        if (first == "no-mount")
        {
            output.WriteLine("No tmpfs can be mounted in a user namespace here: nothing to test.");
            return null;
        }

        var second = await script.ReadLineAsync(TimeSpan.FromSeconds(60));
        await script.WaitForExitAsync();
        output.WriteLine($"{first}; {second}");
        return (ExitCode(first, "first-exit"), ExitCode(second, "second-exit"));

        int ExitCode(string line, string tag) =>
            line.StartsWith(tag + " ", StringComparison.Ordinal)
                ? int.Parse(line[(tag.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"unexpected line '{line}'. stderr:\n{script.Stderr}");
    }
}
