using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// <see cref="KilledRouterHolderTestCases"/> for holders shared with Python (the default): the dead holder's owner
/// record is Python's lock file <c>LOCKDIR/PREFIX-router-NAME</c>.
/// </summary>
public sealed class KilledRouterHolderSharedWithPythonTests(ITestOutputHelper output) : KilledRouterHolderTestCases(output)
{
    protected override bool SharedWithPython => true;
}
