using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>
/// <see cref="RegistryManagerRoutersTestCases"/> with <see cref="RegistryManagerOptions.SharedWithPython"/> =
/// <see langword="true"/> (the default): besides the owner record in the slot, Python's lock file
/// <c>LOCKDIR/PREFIX-router-NAME</c> (a hard link of the holder's presence file) exists exactly while the router is
/// held, because Python's <c>is_router_locked</c> and <c>wait_for_router</c> look at it.
/// </summary>
public sealed class RegistryManagerRoutersSharedWithPythonTests : RegistryManagerRoutersTestCases
{
    protected override bool SharedWithPython => true;

    [Fact]
    public void HostsLock_SlotLeftOddByAKilledWriter_IsNeverRecoveredAutomaticallyButTheOverrideFreesIt()
    {
        var manager = CreateManager(o =>
        {
            o.LockProbeIntervalSeconds = 0.02;
            o.LockTimeouts.HostRegistrySeconds = 0.3;
        });
        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue(); // Creates the slot.
        var slot = Context.SlotPath(Context.HostsLockName);

        // A holder killed in the middle of writing its record: semaphore taken, sequence odd, half a record. Where Python
        // shares the registry, that cannot be told from a live Python holder, which writes no record.
        Context.OpenSemaphore(Context.HostsLockName).TryWait().Should().BeTrue();
        var half = SlotFile.Json(SlotFile.DeadOwner(Context.HostsLockName)).AsSpan(0, 20).ToArray();
        SlotFile.WriteRaw(slot, sequence: SlotFile.Sequence(slot) + 1, length: half.Length, half);

        manager.ListHeldLocks().Should().ContainSingle().Which.Should().Match<LockStatus>(l => l.LockName == Context.HostsLockName && l.OwnerState == LockOwnerState.NoRecord);
        var register = () => manager.CheckAndRegisterHost("web-2", "10.0.0.2", "r1", "02:00:00:00:00:02");
        register.Should().Throw<RegistryLockTimeoutException>("an unusable record never triggers recovery");

        manager.ForceReleaseLock(Context.HostsLockName).Should().BeTrue();

        (SlotFile.Sequence(slot) % 2).Should().Be(0);
        RegistryTestContext.SlotRecord(slot).Should().BeNull();
        register().Should().BeTrue();
        RegistryTestContext.SemaphoreValue(Context.HostsLockName).Should().Be(1);
    }
}
