using System.CommandLine;
using Tsim.Registry.Cli.Demo;

namespace Tsim.Registry.Cli.Commands;

/// <summary>
/// <c>demo</c>: worker processes play quick and detailed jobs on a private registry for a few seconds, with a live view,
/// then a summary and the verdict on mutual exclusion (<see cref="DemoRun"/>).
/// </summary>
internal static class DemoCommand
{
    internal static IEnumerable<Command> Create(CliContext context)
    {
        var seconds = new Option<double>("--seconds")
        {
            Description = "How long the workers play (default 5).",
            HelpName = "S",
            DefaultValueFactory = _ => 5,
        };
        var workers = new Option<int>("--workers")
        {
            Description = $"Worker processes (default 4, at most {DemoSettings.MaxWorkers}).",
            HelpName = "N",
            DefaultValueFactory = _ => 4,
        };
        var routers = new Option<int>("--routers")
        {
            Description = $"Routers router-1 … router-N (default 3, at most {DemoSettings.MaxRouters}).",
            HelpName = "N",
            DefaultValueFactory = _ => 3,
        };
        var keep = new Option<bool>("--keep") { Description = "Leave the demo's registry directory and semaphores behind for inspection." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON, and no progress." };
        seconds.Validators.Add(r =>
        {
            if (r.GetValue(seconds) is <= 0 or > DemoSettings.MaxSeconds)
            {
                r.AddError($"--seconds must be more than 0 and at most {DemoSettings.MaxSeconds}.");
            }
        });
        workers.Validators.Add(r =>
        {
            if (r.GetValue(workers) is < 1 or > DemoSettings.MaxWorkers)
            {
                r.AddError($"--workers must be 1 to {DemoSettings.MaxWorkers}.");
            }
        });
        routers.Validators.Add(r =>
        {
            if (r.GetValue(routers) is < 1 or > DemoSettings.MaxRouters)
            {
                r.AddError($"--routers must be 1 to {DemoSettings.MaxRouters}.");
            }
        });

        var command = new Command(
            "demo",
            "Start worker processes that play quick jobs (wait for a router, short leases) and detailed jobs (1-2 routers at "
            + "once, register, lease, tear down) on a private registry (a new directory under /tmp, a random semaphore prefix; "
            + "--registry-dir/--prefix override), show them live, then print what happened and check that no two jobs ever "
            + "held one router at once: exit 0 'OK: …', 1 'FAILED: N overlaps', 2 a worker failed. Cleans up unless --keep.")
        {
            seconds, workers, routers, keep, json,
        };
        command.SetAction(parseResult => context.Run(() => DemoRun.Execute(
            context,
            parseResult,
            new DemoSettings(
                parseResult.GetValue(seconds),
                parseResult.GetValue(workers),
                parseResult.GetValue(routers),
                parseResult.GetValue(keep),
                parseResult.GetValue(json)))));
        return [command, DemoWorkerCommand.Create(context)];
    }
}
