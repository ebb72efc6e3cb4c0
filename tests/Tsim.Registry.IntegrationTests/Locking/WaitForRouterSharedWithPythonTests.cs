using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.Locking;

/// <summary><see cref="WaitForRouterTestCases"/> with workers and managers shared with Python (the default setting).</summary>
public sealed class WaitForRouterSharedWithPythonTests(ITestOutputHelper output) : WaitForRouterTestCases(output)
{
    protected override bool SharedWithPython => true;
}
