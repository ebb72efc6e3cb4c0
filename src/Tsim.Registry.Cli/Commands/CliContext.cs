using System.CommandLine;
using Tsim.Registry.Cli.Rendering;

namespace Tsim.Registry.Cli.Commands;

/// <summary>What every subcommand shares: the output streams, the global options and the error protocol.</summary>
internal sealed class CliContext
{
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly ManagerFactory _managers;

    internal CliContext(TextReader input, TextWriter output, TextWriter error)
    {
        Input = input;
        _output = output;
        _error = error;
        Globals = new GlobalOptions();
        _managers = new ManagerFactory(Globals, error);
        Operator = new OperatorOutput(output);
    }

    internal GlobalOptions Globals { get; }

    /// <summary>Gets the builder of managers from the global options (<c>demo</c> adjusts the options before building).</summary>
    internal ManagerFactory Managers => _managers;

    /// <summary>Gets the Spectre.Console output of the operator commands: tables on a terminal, plain columns when redirected.</summary>
    internal OperatorOutput Operator { get; }

    /// <summary>Gets stdout, for output written line by line by something else than a subcommand's body (a demo worker).</summary>
    internal TextWriter Output => _output;

    /// <summary>Gets stderr, for diagnostics that must not mix with results (a demo's progress under <c>--json</c>).</summary>
    internal TextWriter Error => _error;

    /// <summary>Gets stdin, which ends a <c>--hold -1</c>.</summary>
    internal TextReader Input { get; }

    /// <summary>
    /// Writes one result line and flushes it at once: a test or script reads <c>ACQUIRED</c> while this process
    /// still holds the lock, so nothing may sit in a buffer.
    /// </summary>
    internal void WriteLine(string line)
    {
        _output.WriteLine(line);
        _output.Flush();
    }

    /// <summary>Runs a subcommand on a manager built from the global options, disposing it (and so releasing its locks) after.</summary>
    internal int Run(ParseResult parseResult, Func<RegistryManager, int> body) => Run(() =>
    {
        using var manager = _managers.Create(parseResult);
        return body(manager);
    });

    /// <summary>
    /// Runs a subcommand body; any exception becomes <c>ERROR &lt;Type&gt;: message</c> on stderr and exit status 2.
    /// </summary>
    internal int Run(Func<int> body)
    {
        try
        {
            return body();
        }
#pragma warning disable CA1031 // The CLI's contract is to turn every failure into an ERROR line and status 2.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _error.WriteLine($"ERROR {ex.GetType().Name}: {ex.Message}");
            _error.Flush();
            return ExitCodes.Error;
        }
    }
}
