using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.CrashSafety;

/// <summary>
/// <see cref="KilledRouterHolderTestCases"/> for holders not shared with Python (<c>--no-shared-with-python</c>): the
/// dead holder's owner record lives in the router's mapped slot, and there is no lock file.
/// </summary>
public sealed class KilledRouterHolderNotSharedWithPythonTests(ITestOutputHelper output) : KilledRouterHolderTestCases(output)
{
    protected override bool SharedWithPython => false;
}
