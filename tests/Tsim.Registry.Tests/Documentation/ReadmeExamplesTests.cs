using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Tsim.Registry.Tests.Documentation;

/// <summary>
/// The README's "Testing your code" shows whole files of tests/Tsim.Registry.PackageConsumer, which the packaging test
/// compiles and runs against the packed library: each shown file must be the file, byte for byte, so that what the
/// README shows is what was compiled.
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    private static readonly string s_root = RepositoryRoot();

    public static TheoryData<string> Examples() => [.. ShownFiles()];

    private static IEnumerable<string> ShownFiles() =>
        ExampleMarker().Matches(File.ReadAllText(Path.Combine(s_root, "README.md"))).Select(match => match.Groups["path"].Value);

    [Fact]
    public void Readme_ShowsEveryExampleOfTheConsumerProjectExceptTheParallelRun()
    {
        var shown = ShownFiles().ToArray();
        var files = Directory.GetFiles(Path.Combine(s_root, "tests", "Tsim.Registry.PackageConsumer"), "*.cs")
            .Select(path => Path.GetRelativePath(s_root, path))
            .Where(path => !path.EndsWith("ParallelRegistryTests.cs", StringComparison.Ordinal));

        shown.Should().BeEquivalentTo(files);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Readme_Example_IsTheConsumerProjectsFile(string path)
    {
        var readme = File.ReadAllText(Path.Combine(s_root, "README.md"));
        var marker = $"<!-- example: {path} -->\n```csharp\n";
        var start = readme.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var end = readme.IndexOf("```\n", start, StringComparison.Ordinal);

        readme[start..end].Should().Be(File.ReadAllText(Path.Combine(s_root, path)), $"the README shows {path} as it is compiled");
    }

    [GeneratedRegex(@"<!-- example: (?<path>tests/Tsim\.Registry\.PackageConsumer/[A-Za-z]+\.cs) -->")]
    private static partial Regex ExampleMarker();

    private static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}
