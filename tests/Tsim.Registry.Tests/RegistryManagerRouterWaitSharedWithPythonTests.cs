using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary><see cref="RegistryManagerRouterWaitTestCases"/> for a waiter shared with Python (the default setting).</summary>
[Collection(SerialTests.Name)]
public sealed class RegistryManagerRouterWaitSharedWithPythonTests : RegistryManagerRouterWaitTestCases
{
    protected override bool SharedWithPython => true;
}
