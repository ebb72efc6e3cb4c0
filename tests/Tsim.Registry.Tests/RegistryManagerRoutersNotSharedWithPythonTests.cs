using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>
/// <see cref="RegistryManagerRoutersTestCases"/> with <see cref="RegistryManagerOptions.SharedWithPython"/> =
/// <see langword="false"/>: a holder's owner record lives in the router's mapped slot
/// (<c>LOCKDIR/.PREFIX-router-NAME.owner</c>), and no lock file is ever created. Every lock has a gate (a kernel
/// lock on its slot file, held from before the semaphore wait until after the post): a taken semaphore whose gate is free
/// was left by a dead holder and is recovered, record or not; one whose gate is held is not.
/// </summary>
public sealed class RegistryManagerRoutersNotSharedWithPythonTests : RegistryManagerRoutersTestCases
{
    protected override bool SharedWithPython => false;

    [Fact]
    public void AcquireRouterLock_RouterSlotIsASymlink_IsRefusedAndTheLockIsGivenBack()
    {
        var manager = CreateManager();
        Context.EnsureDirectories();
        var target = Path.Combine(Context.RegistryDirectory, "created-behind-the-link");
        File.CreateSymbolicLink(SlotPath("r1"), target);

        var act = () => manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(1));

        act.Should().Throw<RegistryException>();
        Path.Exists(target).Should().BeFalse();
        Context.RouterSemaphoreValue("r1").Should().Be(1, "the semaphore taken before the record failed is posted back");
    }

    [Fact]
    public void HostsLock_SlotLeftOddByAKilledWriter_IsRecoveredByTheNextCallSinceItsGateIsFree()
    {
        var manager = CreateManager(o => o.LockTimeouts.HostRegistrySeconds = 5);
        manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "02:00:00:00:00:01").Should().BeTrue(); // Creates the slot.
        var slot = Context.SlotPath(Context.HostsLockName);

        // A holder killed in the middle of writing its record: semaphore taken, sequence odd, half a record; the kernel
        // released its gate when it died.
        Context.OpenSemaphore(Context.HostsLockName).TryWait().Should().BeTrue();
        var half = SlotFile.Json(SlotFile.DeadOwner(Context.HostsLockName)).AsSpan(0, 20).ToArray();
        SlotFile.WriteRaw(slot, sequence: SlotFile.Sequence(slot) + 1, length: half.Length, half);

        manager.CheckAndRegisterHost("web-2", "10.0.0.2", "r1", "02:00:00:00:00:02").Should().BeTrue();

        (SlotFile.Sequence(slot) % 2).Should().Be(0);
        RegistryTestContext.SlotRecord(slot).Should().BeNull();
        RegistryTestContext.SemaphoreValue(Context.HostsLockName).Should().Be(1);
    }

    [Fact]
    public void RouterTakenWithNoRecord_WhileItsGateIsHeld_IsNeitherRecoveredNorForced_AndIsRecoveredOnceTheGateIsFree()
    {
        var manager = CreateManager(o => o.LockProbeIntervalSeconds = 0.02);
        manager.AcquireRouterLock("r1", "first").Should().BeTrue(); // Creates the semaphore and the slot.
        manager.ReleaseRouterLock("r1", "first").Should().BeTrue();

        // A live holder between its wait and its record: it has the gate (a lock through its own open file of the
        // semaphore) and the semaphore, and no record yet.
        var liveHolder = Context.OpenSemaphore(Context.RouterLockName("r1"));
        liveHolder.TryLockGate().Should().BeTrue();
        liveHolder.TryWait().Should().BeTrue();

        manager.AcquireRouterLock("r1", "second", TimeSpan.FromMilliseconds(200)).Should().BeFalse("a held gate means a live holder");
        ((Action)(() => manager.ForceReleaseRouterLock("r1"))).Should().Throw<InvalidOperationException>().WithMessage("*live process*gate*");
        Context.RouterSemaphoreValue("r1").Should().Be(0);

        // It dies: the kernel releases its gate (here: its open file is closed), and the semaphore is still taken.
        liveHolder.Dispose();

        manager.AcquireRouterLock("r1", "second", TimeSpan.FromSeconds(5)).Should().BeTrue("a free gate over a taken semaphore means a dead holder");
        manager.ReleaseRouterLock("r1", "second").Should().BeTrue();
        Context.RouterSemaphoreValue("r1").Should().Be(1);
    }
}
