using System.CommandLine;
using Tsim.Registry.Cli.Demo;

namespace Tsim.Registry.Cli.Commands;

/// <summary><c>demo-worker</c> (hidden): one worker process of <c>demo</c>, started by it (<see cref="DemoWorker"/>).</summary>
internal static class DemoWorkerCommand
{
    internal static Command Create(CliContext context)
    {
        var worker = new Option<int>("--worker") { Description = "Worker number, from 1.", Required = true };
        var seconds = new Option<double>("--seconds") { Description = "How long to play.", Required = true };
        var routers = new Option<string>("--routers") { Description = "Comma-separated routers.", Required = true };
        var markers = new Option<string>("--markers") { Description = "Directory of the per-router hold markers.", Required = true };
        var command = new Command("demo-worker", "One worker of 'demo'; prints one event per line.")
        {
            worker, seconds, routers, markers,
        };
        command.Hidden = true;
        command.SetAction(parseResult => context.Run(parseResult, manager =>
        {
            new DemoWorker(
                manager,
                parseResult.GetValue(worker),
                parseResult.GetRequiredValue(routers).Split(',', StringSplitOptions.RemoveEmptyEntries),
                parseResult.GetRequiredValue(markers),
                context.Output).Run(TimeSpan.FromSeconds(parseResult.GetValue(seconds)));
            return ExitCodes.Success;
        }));
        return command;
    }
}
