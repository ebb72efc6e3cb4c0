using System.Globalization;

namespace Tsim.Registry.Cli.Demo;

/// <summary>What a demo worker did, one line on its stdout each, read back by the <c>demo</c> parent.</summary>
/// <remarks>
/// Words separated by single spaces; names never contain spaces (the library's name rules allow none). Lines:
/// <c>JOB quick|detailed</c>, <c>HOLD r1,r2 START_NS END_NS</c> (CLOCK_MONOTONIC, taken right after acquiring and
/// right before releasing), <c>WAIT ROUTER MS</c>, <c>TIMEOUT ROUTERS</c>, <c>LEASE HOST</c>, <c>HOST+ HOST</c>,
/// <c>HOST- HOST</c>, <c>OVERLAP ROUTER OTHER_JOB</c>, <c>DONE</c>.
/// </remarks>
internal readonly record struct DemoEvent(string Kind, string[] Arguments)
{
    internal const string Job = "JOB";
    internal const string Hold = "HOLD";
    internal const string Wait = "WAIT";
    internal const string Timeout = "TIMEOUT";
    internal const string Lease = "LEASE";
    internal const string HostRegistered = "HOST+";
    internal const string HostTornDown = "HOST-";
    internal const string Overlap = "OVERLAP";
    internal const string Done = "DONE";

    internal static string Format(string kind, params object[] arguments) =>
        arguments.Length == 0
            ? kind
            : kind + " " + string.Join(' ', arguments.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture)));

    internal static DemoEvent? Parse(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 0 ? null : new DemoEvent(words[0], words[1..]);
    }
}
