using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary><see cref="RegistryManagerRouterWaitTestCases"/> for a waiter not shared with Python (owner records in slots).</summary>
[Collection(SerialTests.Name)]
public sealed class RegistryManagerRouterWaitNotSharedWithPythonTests : RegistryManagerRouterWaitTestCases
{
    protected override bool SharedWithPython => false;
}
