using System.Globalization;

namespace Tsim.Registry.TestWorker;

/// <summary>
/// The parsed command line: <c>COMMAND POSITIONAL... [--name value]... [--flag]</c>. Every option takes a value
/// except the ones listed in <see cref="s_flags"/>.
/// </summary>
internal sealed class WorkerArguments
{
    private static readonly HashSet<string> s_flags = new(StringComparer.Ordinal) { "--hold", "--no-shared-with-python" };

    private readonly List<string> _positional = [];
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    private WorkerArguments(string command) => Command = command;

    internal string Command { get; }

    internal static WorkerArguments Parse(string[] args)
    {
        if (args.Length == 0)
        {
            throw new UsageException("missing command");
        }

        var parsed = new WorkerArguments(args[0]);
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                parsed._positional.Add(arg);
            }
            else if (s_flags.Contains(arg))
            {
                parsed._options[arg] = null;
            }
            else if (i + 1 < args.Length)
            {
                parsed._options[arg] = args[++i];
            }
            else
            {
                throw new UsageException($"option {arg} needs a value");
            }
        }

        return parsed;
    }

    internal string Positional(int index, string what) =>
        index < _positional.Count ? _positional[index] : throw new UsageException($"{Command}: missing {what}");

    internal int PositionalInt(int index, string what) => ParseInt(Positional(index, what), what);

    internal string[] PositionalList(int index, string what) =>
        Positional(index, what).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal string Required(string option) =>
        _options.TryGetValue(option, out var value) && value is not null ? value : throw new UsageException($"{Command}: missing {option}");

    internal string? Optional(string option) => _options.GetValueOrDefault(option);

    internal bool Flag(string option) => _options.ContainsKey(option);

    internal int OptionalInt(string option, int defaultValue) =>
        Optional(option) is { } value ? ParseInt(value, option) : defaultValue;

    internal double OptionalDouble(string option, double defaultValue) =>
        Optional(option) is { } value ? double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture) : defaultValue;

    /// <summary>A timeout in seconds; absent means <paramref name="defaultValue"/>, a negative value means infinite.</summary>
    internal TimeSpan? OptionalSeconds(string option, TimeSpan? defaultValue)
    {
        if (Optional(option) is null)
        {
            return defaultValue;
        }

        var seconds = OptionalDouble(option, 0);
        return seconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds);
    }

    private static int ParseInt(string value, string what) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw new UsageException($"{what} must be an integer (got '{value}')");
}

/// <summary>A malformed command line; reported on stderr with exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
