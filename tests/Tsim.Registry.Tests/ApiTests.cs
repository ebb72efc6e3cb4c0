using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Tsim.Registry.Tests;

/// <summary>The public surface and the library's source follow the house rules.</summary>
public sealed partial class ApiTests
{
    private static readonly Assembly s_library = typeof(RegistryManager).Assembly;

    private static readonly Type[] s_publicTypes = [.. s_library.GetExportedTypes()];

    [Fact]
    public void PublicClasses_AreSealedOrStatic_ExceptTheExceptionBase()
    {
        var unsealed = s_publicTypes
            .Where(t => t.IsClass && !t.IsSealed && t != typeof(RegistryException)) // Static classes are sealed too.
            .Select(t => t.FullName);

        unsealed.Should().BeEmpty();
        typeof(RegistryException).IsSealed.Should().BeFalse("the other registry exceptions derive from it");
        s_publicTypes.Where(t => t.IsSubclassOf(typeof(RegistryException))).Should().OnlyContain(t => t.IsSealed);
    }

    [Fact]
    public async Task RouterLockScope_PublicConstructor_CallsReleaseOnceWhateverTheDisposals()
    {
        var releases = 0;
        var scope = new RouterLockScope(["r1", "r2"], "job-1", () => releases++);
        scope.RouterNames.Should().Equal("r1", "r2");
        scope.JobId.Should().Be("job-1");
        releases.Should().Be(0, "nothing is released before the scope is disposed");

        scope.Dispose();
        await scope.DisposeAsync();
        scope.Dispose();

        releases.Should().Be(1);
    }

    [Fact]
    public void RouterLockScope_PublicConstructor_NullArguments_NameTheArgument()
    {
        ((Action)(() => _ = new RouterLockScope(null!, "job-1", () => { }))).Should().Throw<ArgumentNullException>().WithParameterName("routerNames");
        ((Action)(() => _ = new RouterLockScope(["r1", null!], "job-1", () => { }))).Should().Throw<ArgumentNullException>().WithParameterName("routerNames");
        ((Action)(() => _ = new RouterLockScope(["r1"], null!, () => { }))).Should().Throw<ArgumentNullException>().WithParameterName("jobId");
        ((Action)(() => _ = new RouterLockScope(["r1"], "job-1", null!))).Should().Throw<ArgumentNullException>().WithParameterName("release");
    }

    [Fact]
    public void PublicSurface_NothingNamedInternal()
    {
        var names = s_publicTypes.Select(t => t.FullName!)
            .Concat(s_publicTypes.SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}"));

        names.Should().NotContain(n => n.Contains("Internal", StringComparison.Ordinal));
    }

    [Fact]
    public void PublicSurface_LivesInTheDocumentedNamespaces()
    {
        s_publicTypes.Select(t => t.Namespace).Distinct().Should().BeSubsetOf(
            ["Tsim.Registry", "Tsim.Registry.Testing", "Microsoft.Extensions.DependencyInjection"]);
    }

    [Fact]
    public void LibrarySource_NeverWritesToConsole()
    {
        var offenders = LibrarySources()
            .SelectMany(f => CodeLines(f).Where(l => l.Code.Contains("Console.", StringComparison.Ordinal)).Select(l => $"{f.Relative}:{l.Number}"));

        offenders.Should().BeEmpty("the library logs through ILogger only");
    }

    [Fact]
    public void LibrarySource_EveryAwaitHasConfigureAwaitFalse()
    {
        var offenders = new List<string>();
        foreach (var file in LibrarySources())
        {
            var code = string.Join('\n', CodeLines(file).Select(l => l.Code));
            foreach (Match await in AwaitExpression().Matches(code))
            {
                // The awaited expression runs to the end of the statement or to the next 'await'.
                var rest = code[(await.Index + await.Length)..];
                var end = rest.IndexOfAny([';', '{']);
                var statement = end < 0 ? rest : rest[..end];
                if (!statement.Contains(".ConfigureAwait(false)", StringComparison.Ordinal))
                {
                    offenders.Add($"{file.Relative}:{code[..await.Index].Count(c => c == '\n') + 1}");
                }
            }
        }

        offenders.Should().BeEmpty("library continuations must not capture the caller's context");
        LibrarySources().Should().Contain(f => File.ReadAllText(f.Path).Contains("await ", StringComparison.Ordinal), "the scan must see the async code");
    }

    [Fact]
    public void PublicApiFiles_ExistAndListTheSurface()
    {
        var directory = Path.Combine(RepositoryRoot(), "src", "Tsim.Registry");
        var shipped = File.ReadAllLines(Path.Combine(directory, "PublicAPI.Shipped.txt"));
        var unshipped = File.ReadAllLines(Path.Combine(directory, "PublicAPI.Unshipped.txt"));
        var listed = shipped.Concat(unshipped).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);

        shipped[0].Should().Be("#nullable enable");
        listed.Count.Should().BeGreaterThan(100);

        // The analyzer checks every member; here every public type must at least be named.
        foreach (var type in s_publicTypes)
        {
            listed.Should().Contain(l => l.StartsWith(type.FullName!, StringComparison.Ordinal), "{0} is public", type.FullName);
        }

        listed.Should().Contain(l => l.StartsWith("Tsim.Registry.RegistryManager.AcquireRouterLockAsync(", StringComparison.Ordinal));
        listed.Should().Contain(l => l.StartsWith("static Microsoft.Extensions.DependencyInjection.TsimRegistryServiceCollectionExtensions.AddTsimRegistry(", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"\bawait\s+(?!using\b|foreach\b)")]
    private static partial Regex AwaitExpression();

    private static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", ".."));

    private static (string Path, string Relative)[] LibrarySources()
    {
        var root = Path.Combine(RepositoryRoot(), "src", "Tsim.Registry");
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(p => (p, Path.GetRelativePath(root, p)))
            .ToArray();
    }

    /// <summary>The file's lines without <c>//</c> comments (documentation included), numbered from 1.</summary>
    private static IEnumerable<(int Number, string Code)> CodeLines((string Path, string Relative) file) =>
        File.ReadLines(file.Path).Select((line, i) =>
        {
            var comment = line.IndexOf("//", StringComparison.Ordinal);
            return (i + 1, comment < 0 ? line : line[..comment]);
        });
}
