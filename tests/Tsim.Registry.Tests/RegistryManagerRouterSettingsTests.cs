using System.Text;
using Microsoft.Extensions.Configuration;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests;

/// <summary>
/// Both settings of <see cref="RegistryManagerOptions.SharedWithPython"/> at once: managers of either setting taking
/// turns on one registry, and the setting bound from configuration. What must hold in each setting alone is in
/// <see cref="RegistryManagerRoutersTestCases"/>, run once per setting.
/// </summary>
public sealed class RegistryManagerRouterSettingsTests : IDisposable
{
    private readonly RegistryTestContext _context = new();

    public void Dispose() => _context.Dispose();

    private string RouterSlot(string router) => _context.SlotPath(_context.RouterLockName(router));

    [Fact]
    public void AlternatingHolders_OfBothSettings_LeaveNoStaleRecordInEitherPlace()
    {
        var shared = _context.CreateManager();
        var notShared = _context.CreateManager(o => o.SharedWithPython = false);

        for (var round = 0; round < 20; round++)
        {
            var (holder, observer) = round % 2 == 0 ? (shared, notShared) : (notShared, shared);
            holder.AcquireRouterLock("r1", $"job-{round}", TimeSpan.FromSeconds(5)).Should().BeTrue();
            observer.GetRouterLockOwner("r1")!.JobId.Should().Be($"job-{round}");
            holder.ReleaseRouterLock("r1", $"job-{round}").Should().BeTrue();
            observer.GetRouterLockOwner("r1").Should().BeNull();
        }

        File.Exists(_context.OwnerRecordPath("r1")).Should().BeFalse();
        RegistryTestContext.SlotRecord(RouterSlot("r1")).Should().BeNull();
    }

    [Theory]
    [InlineData("\"shared_with_python\": false,", false)]
    [InlineData("\"shared_with_python\": true,", true)]
    [InlineData("", true)]
    public void SharedWithPython_BoundFromTheJsonConfiguration(string setting, bool expected)
    {
        var json = $$$"""
            {"registry_manager": {{{{setting}}} "registry_dir": "{{{_context.RegistryDirectory}}}", "semaphore_prefix": "{{{_context.Prefix}}}"}}
            """;
        var options = new RegistryManagerOptions();
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("registry_manager").Bind(options);

        options.SharedWithPython.Should().Be(expected);
        var manager = _context.Track(new RegistryManager(options));
        manager.AcquireRouterLock("r1", "job-1").Should().BeTrue();
        File.Exists(_context.OwnerRecordPath("r1")).Should().Be(expected, "the lock file exists exactly when shared with Python");
        RegistryTestContext.SlotRecord(RouterSlot("r1")).Should().Contain("\"job_id\":\"job-1\"", "every holder keeps its record in the slot");
    }
}
