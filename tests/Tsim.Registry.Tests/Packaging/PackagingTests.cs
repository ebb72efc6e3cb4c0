using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Tsim.Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Tsim.Registry.Tests.Packaging;

/// <summary>
/// Issue 6's packaging promises, checked on real <c>dotnet pack</c> output: the library package's contents and
/// metadata, its symbols package, deterministic builds, the library as a linux-x64 ReadyToRun image (a fresh process
/// starts on precompiled code), the CLI as a native AOT .NET tool (the executable alone: no assembly, no benchmark, no
/// Python script) installed from a local folder feed and run, and the library package installed from a local folder
/// feed into a user's test project (tests/Tsim.Registry.PackageConsumer: the README's examples of
/// <see cref="TemporaryRegistry"/> and test doubles, and 16 registries in parallel), whose tests run on that image, and
/// into an NUnit and an MSTest project with eight registries in parallel each. Slow (minutes: the native compile of the CLI, and pack
/// compiles the library twice): one serial class, one test.
/// </summary>
[Collection(SerialTests.Name)]
public sealed class PackagingTests : IDisposable
{
    private const string Version = "0.1.0";

    /// <summary>Generous: a cold restore from the package feed plus a build; only a hang takes this long.</summary>
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromMinutes(5);

    private readonly RegistryTestContext _toolContext = new();
    private readonly ITestOutputHelper _output;
    private readonly string _work = Path.Combine("/tmp", $"tsim-pack-{Guid.NewGuid():N}");

    public PackagingTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_work);
    }

    public void Dispose()
    {
        _toolContext.Dispose(); // Unlinks the installed tool's semaphores (same prefix) and deletes its registry.
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    [Fact]
    public async Task Pack_LibraryAndCli_PackagesAreCompleteDeterministicAndInstallable()
    {
        var root = RepositoryRoot();
        var library = Path.Combine(root, "src", "Tsim.Registry");
        var feed = Path.Combine(_work, "feed");

        // ---- The library package: README, MIT expression, XML docs, symbols ----
        await DotnetAsync(root, "pack", library, "-c", "Release", "--no-restore", "-o", feed);
        var package = Path.Combine(feed, $"Tsim.Registry.{Version}.nupkg");
        File.Exists(package).Should().BeTrue();
        File.Exists(Path.Combine(feed, $"Tsim.Registry.{Version}.snupkg")).Should().BeTrue("a symbols package is produced");

        byte[] firstDll;
        using (var zip = ZipFile.OpenRead(package))
        {
            zip.Entries.Select(e => e.FullName).Should().Contain(["README.md", "lib/net10.0/Tsim.Registry.dll", "lib/net10.0/Tsim.Registry.xml"]);
            var nuspec = XDocument.Parse(ReadEntry(zip, "Tsim.Registry.nuspec"));
            var ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            metadata.Element(ns + "license")!.Should().Match<XElement>(l => l.Attribute("type")!.Value == "expression" && l.Value == "MIT");
            metadata.Element(ns + "readme")!.Value.Should().Be("README.md");
            metadata.Element(ns + "version")!.Value.Should().Be(Version);
            ReadEntry(zip, "lib/net10.0/Tsim.Registry.xml").Should().Contain("<member name=\"M:Tsim.Registry.RegistryManager.AcquireRouterLockAsync");
            firstDll = ReadBytes(zip, "lib/net10.0/Tsim.Registry.dll");
        }

        HasReadyToRunCode(firstDll).Should().BeTrue("the package ships Tsim.Registry.dll as a ReadyToRun image");
        HasReadyToRunCode(File.ReadAllBytes(Path.Combine(library, "bin", "Release", "net10.0", "Tsim.Registry.dll")))
            .Should().BeFalse("the library's own build stays IL-only; only the package carries the ReadyToRun code");

        // ---- Deterministic: a full rebuild packs the same assembly bytes ----
        Directory.Delete(Path.Combine(library, "obj", "Release"), recursive: true);
        Directory.Delete(Path.Combine(library, "bin", "Release"), recursive: true);
        var secondFeed = Path.Combine(_work, "feed2");
        await DotnetAsync(root, "pack", library, "-c", "Release", "--no-restore", "-o", secondFeed);
        using (var zip = ZipFile.OpenRead(Path.Combine(secondFeed, $"Tsim.Registry.{Version}.nupkg")))
        {
            var secondDll = ReadBytes(zip, "lib/net10.0/Tsim.Registry.dll");
            _output.WriteLine($"Tsim.Registry.dll SHA-256: {Convert.ToHexStringLower(SHA256.HashData(firstDll))} and {Convert.ToHexStringLower(SHA256.HashData(secondDll))}");
            secondDll.Should().Equal(firstDll, "packing twice yields the same assembly (Deterministic)");
        }

        // ---- The CLI packs as the tsim-registry .NET tool: a package that points at the native AOT one for linux-x64 ----
        var tools = Path.Combine(_work, "tools");
        var cli = Path.Combine(root, "src", "Tsim.Registry.Cli");

        // A RID-specific pack globs its publish directory, so files left there by an earlier build must not ride along.
        var ridPublish = Path.Combine(cli, "bin", "Release", "net10.0", "linux-x64", "publish");
        if (Directory.Exists(ridPublish))
        {
            Directory.Delete(ridPublish, recursive: true);
        }

        await DotnetAsync(root, "pack", cli, "-c", "Release", "-o", tools);
        await DotnetAsync(root, "pack", cli, "-c", "Release", "-r", "linux-x64", "-o", tools);
        using (var zip = ZipFile.OpenRead(Path.Combine(tools, $"Tsim.Registry.Cli.{Version}.nupkg")))
        {
            PackageTypes(zip, "Tsim.Registry.Cli.nuspec").Should().Contain("DotnetTool");
            var settings = zip.Entries.Should().ContainSingle(e => e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal)).Subject;
            ReadEntry(zip, settings.FullName).Should().Contain("<Command Name=\"tsim-registry\"")
                .And.Contain("<RuntimeIdentifierPackage RuntimeIdentifier=\"linux-x64\" Id=\"Tsim.Registry.Cli.linux-x64\"");
            zip.Entries.Should().NotContain(e => e.FullName.StartsWith("tools/", StringComparison.Ordinal) && !e.FullName.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal), "the implementation is in the RID-specific package");
        }

        using (var zip = ZipFile.OpenRead(Path.Combine(tools, $"Tsim.Registry.Cli.linux-x64.{Version}.nupkg")))
        {
            PackageTypes(zip, "Tsim.Registry.Cli.linux-x64.nuspec").Should().Contain("DotnetToolRidPackage");
            ReadEntry(zip, "tools/any/linux-x64/DotnetToolSettings.xml").Should().Contain("<Command Name=\"tsim-registry\" EntryPoint=\"tsim-registry\" Runner=\"executable\"");

            // The native executable only: no assembly (nothing for the JIT), no symbols, and, as before, no benchmark
            // and no Python script.
            zip.Entries.Select(e => e.FullName).Where(f => f.StartsWith("tools/", StringComparison.Ordinal)).Should().BeEquivalentTo(
                "tools/any/linux-x64/DotnetToolSettings.xml",
                "tools/any/linux-x64/tsim-registry");
        }

        // ---- Installed from the local folder feed, the command is the native executable and speaks the protocol ----
        var toolPath = Path.Combine(_work, "tool-bin");
        var toolConfig = WriteToolFeedConfig(tools);
        await DotnetAsync(_work, "tool", "install", "Tsim.Registry.Cli", "--version", Version, "--tool-path", toolPath, "--configfile", toolConfig);
        var command = Path.Combine(toolPath, "tsim-registry");
        var executable = new FileInfo(command).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? command;
        _output.WriteLine($"tsim-registry installed as {executable}");
        (await File.ReadAllBytesAsync(executable))[..4].Should().Equal([0x7F, (byte)'E', (byte)'L', (byte)'F'], "the installed command is a native executable");
        Directory.GetFiles(Path.GetDirectoryName(executable)!, "*.dll").Should().BeEmpty("no managed assembly is installed beside it");

        string[] registry = ["--registry-dir", _toolContext.RegistryDirectory, "--prefix", _toolContext.Prefix];
        (await RunAsync(command, _work, [.. registry, "register", "tool-1", "10.0.1.10", "router-1", "02:00:00:00:01:0a"])).Should().Be("REGISTERED\n");
        (await RunAsync(command, _work, [.. registry, "is-locked", "router-1"])).Should().Be("false\n");
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        (await RunAsync(command, _work, [.. registry, "lease-acquire", "run-1", "tool-1", "router-1", "--pid", pid])).Should().Be("1\n");
        (await RunAsync(command, _work, [.. registry, "lease-count", "tool-1"])).Should().Be("1\n");

        // ---- A user's test project on the package from the local folder feed: the README's examples, and 16 parallel registries ----
        var consumer = Path.Combine(_work, "consumer");
        CopyConsumerProject(Path.Combine(root, "tests", "Tsim.Registry.PackageConsumer"), consumer);
        WriteConsumerNuGetConfig(consumer, feed);
        var output = await RunAsync(
            "dotnet",
            consumer,
            ["test", $"-p:TsimRegistryVersion={Version}"],
            new Dictionary<string, string>
            {
                ["EXPECT_ALL_16_AT_ONCE"] = "1", // ParallelRegistryTests: all 16 classes must hold their registries at once.
                ["TSIM_REGISTRY_COMMAND"] = command, // ChildProcessTests: the tool installed above.
            });

        output.Should().MatchRegex(@"Passed!\s+- Failed:\s+0, Passed:\s+22, Skipped:\s+0, Total:\s+22", "every test of the consumer project ran and passed");
        HasReadyToRunCode(File.ReadAllBytes(Path.Combine(consumer, "bin", "Debug", "net10.0", "Tsim.Registry.dll")))
            .Should().BeTrue("a consumer's build output gets the package's ReadyToRun image of Tsim.Registry.dll");

        // ---- The same under NUnit's and MSTest's parallel runners: eight registries at once in each ----
        foreach (var framework in new[] { "NUnit", "MSTest" })
        {
            var project = Path.Combine(_work, "consumer-" + framework);
            CopyConsumerProject(Path.Combine(root, "tests", "Tsim.Registry.PackageConsumer." + framework), project);
            WriteConsumerNuGetConfig(project, feed);
            var run = await RunAsync("dotnet", project, ["test", $"-p:TsimRegistryVersion={Version}"], new Dictionary<string, string> { ["EXPECT_ALL_AT_ONCE"] = "1" });
            run.Should().MatchRegex(@"Passed!\s+- Failed:\s+0, Passed:\s+8, Skipped:\s+0, Total:\s+8", "every {0} test ran and passed", framework);
        }
        Directory.GetDirectories(Path.Combine(_work, "packages"), "tsim.registry").Should().ContainSingle("the package came through the private package folder");
    }

    /// <summary>Copies the consumer project's sources (not a local build's bin and obj) out of the repository, away from its Directory.Build.props.</summary>
    private static void CopyConsumerProject(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }
    }

    /// <summary>
    /// A nuget.config that reads Tsim.Registry only from the local feed (package source mapping), the test packages
    /// from nuget.org, and keeps every package in a private folder, so no stale copy from the user's cache can stand in
    /// for the package under test.
    /// </summary>
    private void WriteConsumerNuGetConfig(string directory, string feed) =>
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(_work, "packages")}" />
              </config>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local">
                  <package pattern="Tsim.Registry" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);

    /// <summary>A nuget.config that reads packages from the tool feed alone, into a private package folder (no stale copy).</summary>
    private string WriteToolFeedConfig(string feed)
    {
        var path = Path.Combine(_work, "tool-nuget.config");
        File.WriteAllText(path, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(_work, "tool-packages")}" />
              </config>
              <packageSources>
                <clear />
                <add key="tools" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        return path;
    }

    private Task<string> DotnetAsync(string workingDirectory, params string[] arguments) => RunAsync("dotnet", workingDirectory, arguments);

    private async Task<string> RunAsync(string fileName, string workingDirectory, string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs under 'dotnet test': its MSBuild variables would point the child at the parent's build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "MSBUILDNOINPROCNODE").ToArray())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_commandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout;
        var command = $"{Path.GetFileName(fileName)} {string.Join(' ', arguments)}";
        process.ExitCode.Should().Be(0, "{0} failed:\n{1}\n{2}", command, output, await stderr);
        _output.WriteLine($"{command}: ok");
        return output;
    }

    private static IEnumerable<string?> PackageTypes(ZipArchive zip, string nuspec) =>
        XDocument.Parse(ReadEntry(zip, nuspec)).Descendants().Where(e => e.Name.LocalName == "packageType").Select(e => e.Attribute("name")?.Value);

    /// <summary>Reads a text entry; the reader drops the byte order mark NuGet writes before the nuspec.</summary>
    private static string ReadEntry(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static byte[] ReadBytes(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// Whether an assembly carries ReadyToRun code: Crossgen2 points the CLI header's managed native header at its
    /// READYTORUN header (an IL-only assembly has none).
    /// </summary>
    private static bool HasReadyToRunCode(byte[] assembly)
    {
        using var pe = new PEReader(new MemoryStream(assembly));
        var cor = pe.PEHeaders.CorHeader!;
        return cor.ManagedNativeHeaderDirectory.Size > 0 && (cor.Flags & CorFlags.ILOnly) == 0;
    }

    private static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}
