using Spectre.Console;
using Spectre.Console.Rendering;

namespace Tsim.Registry.Cli.Rendering;

/// <summary>
/// Where the operator commands (<c>status</c>, <c>locks</c>, <c>reap</c>, <c>unlock</c>, <c>demo</c>, <c>repair</c>)
/// render their Spectre.Console tables. On a terminal: boxes and colours, as Spectre detects them (NO_COLOR is
/// honoured). Redirected (a pipe, a file, a test): plain aligned columns, no ANSI codes, no box characters, no
/// trailing blanks and no wrapping, so that <c>grep</c>, <c>awk</c> and tests read one row per line.
/// </summary>
internal sealed class OperatorOutput
{
    /// <summary>
    /// Redirected output has no width; Spectre would assume 80 columns and wrap wide rows (long lock names, times).
    /// Tables only take the width they need, so a generous limit costs nothing.
    /// </summary>
    private const int PlainWidth = 1024;

    private readonly TextWriter _output;
    private IAnsiConsole? _terminal;

    internal OperatorOutput(TextWriter output)
    {
        _output = output;

        // Only the process's own stdout can be a terminal; a writer handed in by a test or a host never is.
        IsTerminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
    }

    /// <summary>Gets a value indicating whether stdout is a terminal (boxes, colours, a live view) rather than redirected.</summary>
    internal bool IsTerminal { get; }

    /// <summary>Gets the console of the terminal; only valid when <see cref="IsTerminal"/>.</summary>
    internal IAnsiConsole Terminal => _terminal ??= AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.Detect,
        Out = new AnsiConsoleOutput(Console.Out),
    });

    /// <summary>A table with the given column headers, boxed on a terminal and borderless when redirected.</summary>
    internal Table NewTable(params string[] headers)
    {
        var table = new Table();
        if (IsTerminal)
        {
            table.Border(TableBorder.Rounded);
            foreach (var header in headers)
            {
                table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))));
            }
        }
        else
        {
            table.Border(TableBorder.None);
            foreach (var header in headers)
            {
                // Two blanks between columns and none before the first: the layout of the CLI's earlier text tables.
                table.AddColumn(new TableColumn(new Text(header)).Padding(0, 0, 2, 0));
            }
        }

        return table;
    }

    /// <summary>Writes a renderable (a table, a line of text) followed by a line break, and flushes.</summary>
    internal void Write(IRenderable renderable)
    {
        if (IsTerminal)
        {
            Terminal.Write(renderable);

            // Tables and rules end their last line themselves; text does not.
            if (renderable is Text or Markup or Paragraph)
            {
                Terminal.WriteLine();
            }

            return;
        }

        _output.WriteLine(RenderPlain(renderable));
        _output.Flush();
    }

    /// <summary>Writes one plain line (a verdict, a summary), coloured on a terminal by <paramref name="style"/>.</summary>
    internal void WriteLine(string line, Style? style = null) => Write(new Text(line, style ?? Style.Plain));

    /// <summary>Renders without ANSI codes or colours, each line's trailing blanks (cell padding) removed.</summary>
    internal static string RenderPlain(IRenderable renderable)
    {
        using var buffer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(buffer),

            // The default enrichers recognise CI servers and change the profile; plain output must not depend on that.
            Enrichment = new ProfileEnrichment { UseDefaultEnrichers = false },
        });
        console.Profile.Width = PlainWidth;
        console.Profile.Capabilities.Unicode = false;
        console.Write(renderable);
        var lines = buffer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd());
        return string.Join('\n', lines).TrimEnd('\n');
    }
}
