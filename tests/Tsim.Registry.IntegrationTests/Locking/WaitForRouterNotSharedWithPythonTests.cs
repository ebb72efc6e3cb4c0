using Xunit.Abstractions;

namespace Tsim.Registry.IntegrationTests.Locking;

/// <summary>
/// <see cref="WaitForRouterTestCases"/> with workers and managers not shared with Python (<c>--no-shared-with-python</c>):
/// no lock file, so a waiter wakes from the notify file's event alone.
/// </summary>
public sealed class WaitForRouterNotSharedWithPythonTests(ITestOutputHelper output) : WaitForRouterTestCases(output)
{
    protected override bool SharedWithPython => false;
}
