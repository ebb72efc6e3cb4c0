using System.Diagnostics;

namespace Tsim.Registry.Cli.Demo;

/// <summary>
/// Starts this same program again (the demo's workers). The apphost (<c>dotnet run</c>, an installed tool's shim, a
/// published binary) is simply run again; when the process is the <c>dotnet</c> host itself (<c>dotnet
/// tsim-registry.dll</c>, as the tests run it), the entry assembly must be passed to it.
/// </summary>
internal static class SelfLauncher
{
    internal static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var processPath = Environment.ProcessPath
            ?? throw new InvalidOperationException("The path of this process is unknown, so the demo cannot start its workers.");
        var startInfo = new ProcessStartInfo(processPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.Ordinal))
        {
            // The dotnet host runs an application from its base directory, so that is where its assembly is (asking
            // the assembly for its location would not survive a native AOT or single-file build).
            startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tsim-registry.dll"));
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }
}
