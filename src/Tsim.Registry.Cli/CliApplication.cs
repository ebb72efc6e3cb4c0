using System.CommandLine;
using Tsim.Registry.Cli.Commands;

namespace Tsim.Registry.Cli;

/// <summary>Parses the command line and runs the chosen subcommand, mapping usage errors to exit status 2.</summary>
internal static class CliApplication
{
    internal static int Run(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        var root = CliCommands.CreateRoot(input, output, error);

        // Response files (@file) are off: arguments are data (host names, JSON), never indirections.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0)
        {
            // System.CommandLine would exit 1, which the protocol reserves for negative outcomes; usage errors are
            // errors (2), as with Python's argparse.
            foreach (var parseError in parseResult.Errors)
            {
                error.WriteLine($"ERROR UsageError: {parseError.Message}");
            }

            error.WriteLine("Run 'tsim-registry --help' for usage.");
            return ExitCodes.Error;
        }

        return parseResult.Invoke(new InvocationConfiguration
        {
            Output = output,
            Error = error,

            // Every action catches its own exceptions (CommandRunner); a hold handles SIGINT/SIGTERM itself so that
            // it can release the router before exiting.
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        });
    }
}
