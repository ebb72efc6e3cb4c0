namespace Tsim.Registry.Tests;

/// <summary>
/// <see cref="RegistryManagerRoutersTestCases"/> with <see cref="RegistryManagerOptions.SharedWithPython"/> =
/// <see langword="true"/> (the default): a holder's owner record is Python's lock file <c>LOCKDIR/PREFIX-router-NAME</c>,
/// which exists exactly while the router is held, because Python's <c>is_router_locked</c> and <c>wait_for_router</c>
/// look at it.
/// </summary>
public sealed class RegistryManagerRoutersSharedWithPythonTests : RegistryManagerRoutersTestCases
{
    protected override bool SharedWithPython => true;
}
