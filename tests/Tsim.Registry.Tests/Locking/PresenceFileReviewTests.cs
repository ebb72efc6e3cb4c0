using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Logging.Abstractions;
using Tsim.Registry.Locking;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Locking;

/// <summary>
/// Adversarial review of the presence-file design (commit 3c8f8c9): router lock files of registries shared with Python
/// are hard links of a per-manager presence file <c>LOCKDIR/.presence-PID-STARTTIME-PIDNS-N</c>.
/// </summary>
[Collection(SerialTests.Name)]
public sealed class PresenceFileReviewTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    private string[] PresenceFiles() => Directory.GetFiles(_context.LockDirectory, ".presence-*");

    private bool LockFileExists(string router) => File.Exists(_context.OwnerRecordPath(router));

    /// <summary>
    /// Manager A holds r1; B (same process) takes and drops routers, is disposed, and a third manager is created (its
    /// sweep runs): A's lock file must stay the whole time, and A must still release cleanly.
    /// </summary>
    [Fact]
    public void TwoManagersOneProcess_DisposeAndSweepOfOthers_NeverRemoveAHeldLockFile()
    {
        var a = _context.CreateManager();
        a.AcquireRouterLock("r1", "job-a").Should().BeTrue();

        var b = _context.CreateManager();
        for (var i = 0; i < 20; i++)
        {
            b.AcquireRouterLock("r2", "job-b").Should().BeTrue();
            LockFileExists("r1").Should().BeTrue();
            b.ReleaseRouterLock("r2", "job-b").Should().BeTrue();
        }

        b.AcquireRouterLock("r3", "job-b").Should().BeTrue();
        b.Dispose(); // Releases r3 and removes B's presence file.
        LockFileExists("r3").Should().BeFalse();
        LockFileExists("r1").Should().BeTrue();

        var c = _context.CreateManager();
        c.AcquireRouterLock("r4", "job-c").Should().BeTrue(); // Creates C's presence file: sweeps.
        LockFileExists("r1").Should().BeTrue();
        PresenceFiles().Should().HaveCount(2, "A's and C's, both of a live process");

        a.IsRouterLocked("r1").Should().BeTrue();
        a.ReleaseRouterLock("r1", "job-a").Should().BeTrue();
        LockFileExists("r1").Should().BeFalse();
    }

    /// <summary>The presence file is removed under a live manager that holds r1 (operator, or a wrong judgement).</summary>
    [Fact]
    public void PresenceFileRemovedUnderAHolder_NextAcquisitionRecreatesIt_HeldLockFileStays_NoLeakAfterDispose()
    {
        var manager = _context.CreateManager();
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        foreach (var file in PresenceFiles())
        {
            File.Delete(file);
        }

        LockFileExists("r1").Should().BeTrue("a lock file is a name of its own");
        manager.AcquireRouterLock("r2", "job-2").Should().BeTrue();
        LockFileExists("r2").Should().BeTrue();
        PresenceFiles().Should().ContainSingle();

        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        LockFileExists("r1").Should().BeFalse();
        manager.Dispose();
        LockFileExists("r2").Should().BeFalse();
        PresenceFiles().Should().BeEmpty();
    }

    /// <summary>
    /// Concurrent acquisitions of one manager that all find the presence file gone (ENOENT on link): only the file found
    /// gone may be forgotten, or a thread would drop the name of a file another thread has just made, which then
    /// outlives Dispose (the sweep spares it too, since this process is alive). No presence file after Dispose.
    /// </summary>
    [Fact]
    public async Task PresenceFileRemoved_ConcurrentAcquisitionsAllHitEnoent_DisposeLeavesNoPresenceFile()
    {
        const int Threads = 6;
        var manager = _context.CreateManager();
        for (var round = 0; round < 30; round++)
        {
            foreach (var file in PresenceFiles())
            {
                File.Delete(file);
            }

            using var barrier = new Barrier(Threads);
            var tasks = Enumerable.Range(0, Threads).Select(i => Task.Factory.StartNew(
                () =>
                {
                    barrier.SignalAndWait();
                    manager.AcquireRouterLock($"r{i}", $"job-{i}").Should().BeTrue();
                    manager.ReleaseRouterLock($"r{i}", $"job-{i}").Should().BeTrue();
                },
                TaskCreationOptions.LongRunning)).ToArray();
            await Task.WhenAll(tasks);
            var present = PresenceFiles();
            present.Length.Should().Be(1, $"round {round}: one presence file is in use; any other is orphaned for the life of the process: {string.Join(", ", present.Select(Path.GetFileName))}");
        }

        manager.Dispose();
        PresenceFiles().Should().BeEmpty("Dispose removes the manager's presence file; any other is leaked for the life of the process");
    }

    /// <summary>
    /// Presence files of another pid namespace (a container that was SIGKILLed, or exited without Dispose) are never
    /// judged, so never removed, by anyone outside that namespace: one leaked file per such run, for ever, in a lock
    /// directory on tmpfs. Documents the behaviour (passes while the sweep keeps to its namespace).
    /// </summary>
    [Fact]
    public void PresenceFileOfDeadProcessOfAnotherPidNamespace_IsNeverSwept()
    {
        _context.EnsureDirectories();
        var foreign = Path.Combine(_context.LockDirectory, ".presence-123-456-4026599999-1");
        File.WriteAllText(foreign, "x");

        var manager = _context.CreateManager();
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();

        File.Exists(foreign).Should().BeTrue("the sweep cannot judge another namespace: nobody ever removes it");
    }

    /// <summary>
    /// The name counter N is a static of the library: a second copy of the library in the process (another
    /// AssemblyLoadContext: a plugin host, a test runner) counts on its own and reaches the first copy's N, making the
    /// very same name. O_EXCL refuses it, and the creation must go on to the next number rather than fail the acquisition.
    /// </summary>
    [Fact]
    public void SecondCopyOfTheLibraryInAnotherLoadContext_CanStillTakeRouterLocks()
    {
        var first = _context.CreateManager();
        first.AcquireRouterLock("r1", "job-1").Should().BeTrue(); // Makes .presence-PID-ST-NS-N of this copy.
        var n = int.Parse(Path.GetFileName(PresenceFiles().Should().ContainSingle().Subject).Split('-')[^1], System.Globalization.CultureInfo.InvariantCulture);

        var alc = new AssemblyLoadContext("review-second-copy-" + Guid.NewGuid(), isCollectible: false);
        var assembly = alc.LoadFromAssemblyPath(typeof(RegistryManager).Assembly.Location);
        assembly.Should().NotBeSameAs(typeof(RegistryManager).Assembly);
        var optionsType = assembly.GetType(typeof(RegistryManagerOptions).FullName!)!;
        var managerType = assembly.GetType(typeof(RegistryManager).FullName!)!;
        var acquire = managerType.GetMethod(nameof(RegistryManager.AcquireRouterLock))!;
        var release = managerType.GetMethod(nameof(RegistryManager.ReleaseRouterLock))!;
        var ctor = managerType.GetConstructor([optionsType, typeof(Microsoft.Extensions.Logging.ILogger<>).MakeGenericType(managerType)])!;

        // Each new manager of the second copy makes one presence file: the n-th has the first copy's name.
        for (var i = 1; i <= n + 1; i++)
        {
            var options = Activator.CreateInstance(optionsType)!;
            optionsType.GetProperty(nameof(RegistryManagerOptions.RegistryDirectory))!.SetValue(options, _context.RegistryDirectory);
            optionsType.GetProperty(nameof(RegistryManagerOptions.SemaphorePrefix))!.SetValue(options, _context.Prefix);
            var second = (IDisposable)ctor.Invoke([options, null]);
            try
            {
                ((bool)acquire.Invoke(second, ["r2", "job-2", null])!).Should().BeTrue();
                ((bool)release.Invoke(second, ["r2", "job-2"])!).Should().BeTrue();
            }
            catch (TargetInvocationException ex)
            {
                throw new Xunit.Sdk.XunitException($"second copy's manager #{i} (first copy's N = {n}) could not take r2: {ex.InnerException?.GetType().Name}: {ex.InnerException?.Message}");
            }
            finally
            {
                second.Dispose();
            }
        }

        _context.RouterSemaphoreValue("r2").Should().Be(1);
        LockFileExists("r1").Should().BeTrue();
    }

    /// <summary>
    /// Same race as above, on <see cref="PresenceFile"/> directly: the file is removed, then several LinkAs run at once;
    /// each that meets ENOENT forgets only the file it found gone, never a newer one. After Dispose no presence file is left.
    /// </summary>
    [Fact]
    public async Task PresenceFile_ConcurrentLinkAsAfterRemoval_DisposeLeavesNoPresenceFile()
    {
        const int Threads = 6;
        _context.EnsureDirectories();
        var files = new LockFiles(_context.LockDirectory, NullLogger.Instance);
        using var presence = new PresenceFile(files, NullLogger.Instance);
        for (var round = 0; round < 100; round++)
        {
            presence.LinkAs(LockName.Router(_context.Prefix, "warm"));
            foreach (var file in PresenceFiles())
            {
                File.Delete(file);
            }

            using var barrier = new Barrier(Threads);
            var tasks = Enumerable.Range(0, Threads).Select(i => Task.Factory.StartNew(
                () =>
                {
                    barrier.SignalAndWait();
                    presence.LinkAs(LockName.Router(_context.Prefix, $"lf{i}"));
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)).ToArray();
            await Task.WhenAll(tasks);
            var present = PresenceFiles();
            present.Length.Should().Be(1, $"round {round}: one presence file is in use; any other is orphaned for the life of the process: {string.Join(", ", present.Select(Path.GetFileName))}");
        }

        presence.Dispose();
        PresenceFiles().Should().BeEmpty("Dispose removes the presence file; any other is leaked for the life of the process");
    }

    /// <summary>
    /// The sweep runs inside the first router acquisition of a manager: among many stale presence files it removes
    /// exactly those of dead processes of this namespace and leaves those of other namespaces, which it cannot judge.
    /// (Its duration, about 260 ms for 23,000 files during the review, is a cost of that first hold; not asserted.)
    /// </summary>
    [Fact]
    public void ManyStalePresenceFiles_FirstAcquisitionSweepsThoseOfDeadProcessesOfThisNamespaceOnly()
    {
        _context.EnsureDirectories();
        var ns = new string([.. Tsim.Registry.Locking.ProcessIdentity.Current.PidNamespace.Where(char.IsAsciiDigit)]);
        var deadPid = SlotFile.DeadOwner("x").Pid;
        for (var i = 0; i < 20000; i++)
        {
            File.WriteAllBytes(Path.Combine(_context.LockDirectory, $".presence-{100000 + i}-{i}-4026000001-1"), []);
        }

        for (var i = 0; i < 3000; i++)
        {
            File.WriteAllBytes(Path.Combine(_context.LockDirectory, $".presence-{deadPid}-{i}-{ns}-1"), []);
        }

        var manager = _context.CreateManager();
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();

        PresenceFiles().Length.Should().Be(20001, "the 3000 of this namespace were swept; the 20000 of another never are");
    }

    /// <summary>
    /// A file already under the name this manager's presence file will get (planted by anyone who can write the lock
    /// directory: the name is pid, start time, namespace and a small counter; or a second copy of the library): the
    /// O_EXCL create refuses it, and the next number is tried, so the acquisition still succeeds.
    /// </summary>
    [Fact]
    public void PresenceFileNameTakenInAdvance_AcquisitionStillSucceeds()
    {
        _context.EnsureDirectories();
        var counter = typeof(PresenceFile).GetField("s_lastInstance", BindingFlags.NonPublic | BindingFlags.Static)!;
        var next = (int)counter.GetValue(null)! + 1;
        var process = ProcessIdentity.Current;
        var ns = new string([.. process.PidNamespace.Where(char.IsAsciiDigit)]);
        var planted = Path.Combine(_context.LockDirectory, $".presence-{process.Pid}-{process.StartTime}-{ns}-{next}");
        File.WriteAllText(planted, "planted");

        var manager = _context.CreateManager();
        var acquire = () => manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(1));
        Exception? failure = null;
        try
        {
            acquire().Should().BeTrue();
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            failure = ex;
        }

        _context.RouterSemaphoreValue("r1").Should().Be(failure is null ? 0 : 1, "a failed acquisition gives the semaphore back");
        File.Exists(_context.OwnerRecordPath("r1")).Should().Be(failure is null);
        var retried = failure is not null && acquire(); // The next attempt takes the next counter value.
        failure.Should().BeNull($"a taken presence-file name should be skipped; got {failure?.GetType().FullName}: {failure?.Message} (a retry {(retried ? "succeeded" : "failed")})");
    }

    /// <summary>
    /// Every router record now lives in a slot, also in the default mode (shared with Python), where routers had none
    /// before: each distinct router a manager ever locks keeps a slot file (4 KiB of /dev/shm for ever) and a mapping
    /// until the manager is disposed. The slot's descriptor must be closed once mapped, so that a long-lived manager
    /// cycling through many routers keeps one descriptor per router (its semaphore), as before, not two.
    /// </summary>
    [Fact]
    public void DefaultMode_ManyDistinctRouters_EachKeepsAFileDescriptorUntilDispose()
    {
        const int Routers = 300;
        var manager = _context.CreateManager();
        manager.AcquireRouterLock("warm", "job").Should().BeTrue();
        manager.ReleaseRouterLock("warm", "job").Should().BeTrue();
        var before = Directory.GetFiles("/proc/self/fd").Length;
        for (var i = 0; i < Routers; i++)
        {
            manager.AcquireRouterLock($"r{i}", "job").Should().BeTrue();
            manager.ReleaseRouterLock($"r{i}", "job").Should().BeTrue();
        }

        var grown = Directory.GetFiles("/proc/self/fd").Length - before;
        var targets = Directory.GetFiles("/proc/self/fd").Select(fd => { try { return new FileInfo(fd).LinkTarget ?? "?"; } catch (IOException) { return "?"; } }).ToList();
        var toSlots = targets.Count(t => t.EndsWith(".owner", StringComparison.Ordinal));
        var toSemaphores = targets.Count(t => t.StartsWith("/dev/shm/sem.", StringComparison.Ordinal));
        var slots = Directory.GetFiles(_context.LockDirectory, ".*.owner").Length;
        grown.Should().BeLessThanOrEqualTo(Routers + 10, "before 3c8f8c9 the default mode kept one per router (its semaphore); " + $"{grown} descriptors ({toSlots} of slot files, {toSemaphores} of semaphores) stay open after {Routers} routers were locked and released; {slots} slot files stay in the lock directory");
    }

    /// <summary>
    /// The lock directory removed and made again under a live manager (an operator's reset while job runners run,
    /// which the README's Limits forbid: mapped slots, open semaphores and the presence file's directory descriptor
    /// all stay with the old one). The next acquisition must fail loudly and give the lock back, never report a hold
    /// that Python's path does not show.
    /// </summary>
    [Fact]
    public void LockDirectoryRemovedUnderALiveManager_NextAcquisitionFailsAndGivesTheLockBack()
    {
        var manager = _context.CreateManager();
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        manager.ReleaseRouterLock("r1", "job-1").Should().BeTrue();
        Directory.Delete(_context.LockDirectory, recursive: true);
        Directory.CreateDirectory(_context.LockDirectory);

        var act = () => manager.AcquireRouterLock("r1", "job-2", TimeSpan.FromSeconds(1));

        act.Should().Throw<RegistryException>().WithMessage("*create the router lock file*");
        _context.RouterSemaphoreValue("r1").Should().Be(1, "a lock whose lock file cannot be made is given back");
        LockFileExists("r1").Should().BeFalse();
    }
}
