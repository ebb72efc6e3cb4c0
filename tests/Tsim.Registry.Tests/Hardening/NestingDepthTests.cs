using System.Text;
using System.Text.Json;
using Tsim.Registry.Storage;
using Tsim.Registry.Tests.Infrastructure;

namespace Tsim.Registry.Tests.Hardening;

/// <summary>
/// How deeply registry JSON may nest (docs/ARCHITECTURE.md, "Deviations", 8 and 10): additional information is
/// refused up front past <see cref="RegistryJsonDepth.AdditionalInfo"/> levels, so that everything written is read
/// back, and files as deep as Python reads them (<see cref="RegistryJsonDepth.Read"/>) are read, written back and never
/// moved aside by repair.
/// </summary>
public sealed class NestingDepthTests : IDisposable
{
    private readonly RegistryTestContext _context = new();
    private readonly RegistryManager _manager;

    public NestingDepthTests() => _manager = _context.CreateManager();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void CheckAndRegisterHost_AdditionalInfoAtTheLimit_IsReadBackEverywhere()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01", NestedJson.Dictionary(RegistryJsonDepth.AdditionalInfo))
            .Should().BeTrue();

        var bytes = File.ReadAllBytes(_context.HostsPath);
        NestedJson.LevelsOf(bytes).Should().Be(RegistryJsonDepth.AdditionalInfo + 1, "the hosts object is one level more");
        var parse = () => JsonDocument.Parse(bytes).Dispose();
        parse.Should().NotThrow("a reader with System.Text.Json's default depth (64), such as an older version of this library, reads it");
        NestedJson.LevelsOf(_manager.GetHostInfo("web-1")!.AdditionalInfo["a"].GetRawText()).Should().Be(RegistryJsonDepth.AdditionalInfo - 1);
        NestedJson.LevelsOf(_manager.ListAllHosts()["web-1"].AdditionalInfo["a"].GetRawText()).Should().Be(RegistryJsonDepth.AdditionalInfo - 1);

        var fresh = _context.CreateManager();
        fresh.CheckAndRegisterHost("web-2", "10.0.0.2", "r1", "aa:bb:cc:dd:ee:02").Should().BeTrue("another process reads and rewrites the file");
        fresh.ListAllHosts().Keys.Should().BeEquivalentTo("web-1", "web-2");
        fresh.QuarantineCorruptFiles().Should().BeEmpty();
    }

    [Theory]
    [InlineData(nameof(RegistryManager.CheckAndRegisterHost))]
    [InlineData(nameof(RegistryManager.TryRegisterHost))]
    [InlineData(nameof(RegistryManager.RegisterHost))]
    public void Register_AdditionalInfoOneLevelPastTheLimit_ThrowsArgumentExceptionAndWritesNothing(string method)
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        var before = _context.Snapshot();

        var act = () => Register(method, NestedJson.Dictionary(RegistryJsonDepth.AdditionalInfo + 1));

        act.Should().Throw<ArgumentException>()
            .WithParameterName("additionalInfo")
            .WithMessage($"*nests deeper than {RegistryJsonDepth.AdditionalInfo} levels*");
        _context.Snapshot().Should().Equal(before, "nothing is written on bad input");
        _manager.ListAllHosts().Keys.Should().Equal("web-1");
    }

    [Fact]
    public void CheckAndRegisterHost_CyclicAdditionalInfo_ThrowsArgumentExceptionAndWritesNothing()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        var before = _context.Snapshot();
        var loop = new Dictionary<string, object?>();
        loop["again"] = new List<object?> { loop };

        var act = () => _manager.CheckAndRegisterHost("web-2", "10.0.0.2", "r1", "aa:bb:cc:dd:ee:02", new Dictionary<string, object?> { ["loop"] = loop });

        act.Should().Throw<ArgumentException>().WithParameterName("additionalInfo").WithMessage("*contains itself (a cycle)*");
        _context.Snapshot().Should().Equal(before, "nothing is written on bad input");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(200)]
    [InlineData(RegistryJsonDepth.Read - 1)]
    public void PythonHostsFile_DeepAdditionalInfo_IsReadWrittenBackUnchangedAndNeverMoved(int additionalInfoLevels)
    {
        var python = NestedJson.PythonHostsFile("py1", "10.0.0.1/24", "r1", "aa:bb:cc:dd:ee:01", additionalInfoLevels);
        File.WriteAllBytes(_context.HostsPath, python);

        var host = _manager.GetHostInfo("py1");

        host.Should().NotBeNull();
        host!.MacAddress.Should().Be("aa:bb:cc:dd:ee:01");
        NestedJson.LevelsOf(host.AdditionalInfo["deep"].GetRawText()).Should().Be(additionalInfoLevels - 1);
        _manager.ListAllHosts().Keys.Should().Equal("py1");
        _manager.QuarantineCorruptFiles().Should().BeEmpty();
        File.ReadAllBytes(_context.HostsPath).Should().Equal(python, "a file that is JSON is never moved, and one that reads is not even touched");

        // Written back compactly by a registration, then read by a manager that has not seen it (the adopted-bytes path).
        _manager.CheckAndRegisterHost("web-2", "10.0.0.2", "r1", "aa:bb:cc:dd:ee:02").Should().BeTrue();
        var fresh = _context.CreateManager();
        JsonElement.DeepEquals(fresh.GetHostInfo("py1")!.AdditionalInfo["deep"], host.AdditionalInfo["deep"]).Should().BeTrue();
        fresh.UnregisterHost("web-2").Should().BeTrue();
        using var written = ParseDeep(File.ReadAllBytes(_context.HostsPath));
        using var original = ParseDeep(python);
        JsonElement.DeepEquals(written.RootElement, original.RootElement).Should().BeTrue("the host Python wrote survives every rewrite");
    }

    [Fact]
    public void PythonLeaseFile_DeepUnknownField_IsReadAndWrittenBackUnchanged()
    {
        _manager.CheckAndRegisterHost("web-1", "10.0.0.1", "r1", "aa:bb:cc:dd:ee:01").Should().BeTrue();
        var deep = NestedJson.Object(200);
        var python = Encoding.UTF8.GetBytes($$"""
            {
              "web-1": {
                "router": "r1",
                "leases": [
                  {"run_id": "run-py", "pid": 4242, "job_type": "quick", "dscp": null, "allocated_at": 1795704200.5, "trace": {{deep}}}
                ]
              }
            }
            """);
        File.WriteAllBytes(_context.HostLeasesPath, python);

        _manager.GetHostLeaseCount("web-1").Should().Be(1);
        _manager.AcquireSourceHostLease("run-cs", "web-1", "quick", "r1").Should().Be(2, "the file is read and written back");

        using var written = ParseDeep(File.ReadAllBytes(_context.HostLeasesPath));
        using var given = ParseDeep(Encoding.UTF8.GetBytes(deep));
        var trace = written.RootElement.GetProperty("web-1").GetProperty("leases")[0].GetProperty("trace");
        JsonElement.DeepEquals(trace, given.RootElement).Should().BeTrue("Python's field survives the rewrite");
        _manager.QuarantineCorruptFiles().Should().BeEmpty();
    }

    [Fact]
    public void HostsFile_OneLevelPastTheReadDepth_IsCorruptButJsonSoRepairLeavesIt()
    {
        var tooDeep = NestedJson.PythonHostsFile("py1", "10.0.0.1/24", "r1", "aa:bb:cc:dd:ee:01", RegistryJsonDepth.Read);
        File.WriteAllBytes(_context.HostsPath, tooDeep);

        var read = () => _manager.GetHostInfo("py1");
        var repair = _manager.QuarantineCorruptFiles;

        read.Should().Throw<RegistryCorruptionException>()
            .WithMessage($"*maximum configured depth of {RegistryJsonDepth.Read}*correct it by hand*")
            .Which.ParsesAsJson.Should().BeTrue();
        repair.Should().Throw<RegistryCorruptionException>().Which.FilePath.Should().Be(_context.HostsPath);
        File.ReadAllBytes(_context.HostsPath).Should().Equal(tooDeep);
        Directory.GetFiles(_context.RegistryDirectory, "*.corrupt-*").Should().BeEmpty();
    }

    private static JsonDocument ParseDeep(byte[] json) => JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = RegistryJsonDepth.Read });

    private void Register(string method, Dictionary<string, object?> info)
    {
        switch (method)
        {
            case nameof(RegistryManager.CheckAndRegisterHost):
                _manager.CheckAndRegisterHost("web-2", "10.0.0.2", "r1", "aa:bb:cc:dd:ee:02", info);
                break;
            case nameof(RegistryManager.TryRegisterHost):
                _manager.TryRegisterHost("web-2", "10.0.0.2", "r1", "aa:bb:cc:dd:ee:02", info);
                break;
            default:
                _manager.RegisterHost("web-2", "10.0.0.2", "r1", "aa:bb:cc:dd:ee:02", info);
                break;
        }
    }
}
