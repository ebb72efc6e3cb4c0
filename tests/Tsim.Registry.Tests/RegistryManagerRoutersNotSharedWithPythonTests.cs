namespace Tsim.Registry.Tests;

/// <summary>
/// <see cref="RegistryManagerRoutersTestCases"/> with <see cref="RegistryManagerOptions.SharedWithPython"/> =
/// <see langword="false"/>: a holder's owner record lives in the router's mapped slot
/// (<c>LOCKDIR/.PREFIX-router-NAME.owner</c>), and no lock file is ever created.
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
        File.CreateSymbolicLink(RecordPath("r1"), target);

        var act = () => manager.AcquireRouterLock("r1", "job-1", TimeSpan.FromSeconds(1));

        act.Should().Throw<RegistryException>();
        Path.Exists(target).Should().BeFalse();
        Context.RouterSemaphoreValue("r1").Should().Be(1, "the semaphore taken before the record failed is posted back");
    }
}
