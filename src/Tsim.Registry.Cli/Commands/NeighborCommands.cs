using System.CommandLine;
using System.Globalization;
using Tsim.Registry.Cli.Rendering;

namespace Tsim.Registry.Cli.Commands;

/// <summary><c>neighbor-acquire</c>, <c>neighbor-release</c>: leases on a host's neighbour (ARP) entries.</summary>
internal static class NeighborCommands
{
    internal static IEnumerable<Command> Create(CliContext context) => [Acquire(context), Release(context)];

    private static Command Acquire(CliContext context)
    {
        var (run, host, ip) = Arguments();
        var owner = LeaseOwnerOption.Create();
        var command = new Command(
            "neighbor-acquire",
            "Take a lease on a neighbour entry for the process that ran tsim-registry (or --pid); prints its lease count.")
        {
            run, host, ip, owner,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var count = manager.AcquireNeighborLease(
                parseResult.GetRequiredValue(run),
                parseResult.GetRequiredValue(host),
                parseResult.GetRequiredValue(ip),
                LeaseOwnerOption.Resolve(parseResult, owner));
            context.WriteLine(count.ToString(CultureInfo.InvariantCulture));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Release(CliContext context)
    {
        var (run, host, ip) = Arguments();
        var command = new Command(
            "neighbor-release",
            "Release one neighbour lease: {\"ref_count\": n, \"should_delete\": b}. A missing lease is an error (exit 2).")
        {
            run, host, ip,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            context.WriteLine(RegistryJson.Release(manager.ReleaseNeighborLease(
                parseResult.GetRequiredValue(run), parseResult.GetRequiredValue(host), parseResult.GetRequiredValue(ip))));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static (Argument<string> Run, Argument<string> Host, Argument<string> Ip) Arguments() => (
        new("run") { Description = "Run id." },
        new("host") { Description = "The host that needs the neighbour entry." },
        new("ip") { Description = "The neighbour's IPv4 or IPv6 address." });
}
