using System.CommandLine;
using System.Globalization;
using Tsim.Registry.Cli.Rendering;

namespace Tsim.Registry.Cli.Commands;

/// <summary><c>lease-acquire</c>, <c>lease-release</c>, <c>lease-count</c>, <c>leases</c>: source host leases.</summary>
internal static class LeaseCommands
{
    internal static IEnumerable<Command> Create(CliContext context) =>
        [Acquire(context), Release(context), Count(context), List(context)];

    private static Command Acquire(CliContext context)
    {
        var run = RunArgument();
        var host = HostArgument();
        var router = new Argument<string>("router") { Description = "The router the host is connected to." };
        var jobType = new Option<string>("--job-type")
        {
            Description = "Job type recorded with the lease (default quick).",
            HelpName = "quick|detailed",
            DefaultValueFactory = _ => "quick",
        };
        var dscp = new Option<int?>("--dscp") { Description = "DSCP value of a quick job, 0 to 63.", HelpName = "N" };
        var owner = LeaseOwnerOption.Create();
        var command = new Command(
            "lease-acquire",
            "Take a lease on a registered host for the process that ran tsim-registry (or --pid); prints the host's lease count.")
        {
            run, host, router, jobType, dscp, owner,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var count = manager.AcquireSourceHostLease(
                parseResult.GetRequiredValue(run),
                parseResult.GetRequiredValue(host),
                parseResult.GetRequiredValue(jobType),
                parseResult.GetRequiredValue(router),
                parseResult.GetValue(dscp),
                LeaseOwnerOption.Resolve(parseResult, owner));
            context.WriteLine(count.ToString(CultureInfo.InvariantCulture));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Release(CliContext context)
    {
        var run = RunArgument();
        var host = HostArgument();
        var command = new Command(
            "lease-release",
            "Release one lease of the run on the host: {\"ref_count\": n, \"should_delete\": b}. A missing lease is an error (exit 2).")
        {
            run, host,
        };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            context.WriteLine(RegistryJson.Release(
                manager.ReleaseSourceHostLease(parseResult.GetRequiredValue(run), parseResult.GetRequiredValue(host))));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Count(CliContext context)
    {
        var host = HostArgument();
        var command = new Command("lease-count", "Print the number of leases on a host.") { host };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            context.WriteLine(manager.GetHostLeaseCount(parseResult.GetRequiredValue(host)).ToString(CultureInfo.InvariantCulture));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var host = new Argument<string?>("host") { Description = "Only this host.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("leases", "Print the leases as JSON, in the shape of the host leases file (host_leases.json).") { host };
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            var hostName = parseResult.GetValue(host);
            context.WriteLine(RegistryJson.Leases(manager.ListHostLeases(hostName), hostName));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Argument<string> RunArgument() => new("run") { Description = "Run id." };

    private static Argument<string> HostArgument() => new("host") { Description = "Host name." };
}
