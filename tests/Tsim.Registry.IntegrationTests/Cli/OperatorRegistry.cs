using System.Globalization;
using Tsim.Registry.IntegrationTests.Infrastructure;

namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>
/// A sandbox registry seeded for the operator commands through the CLI alone: two hosts, a lease whose owner has
/// exited (stale), a router held by a live <c>lock --hold -1</c> process, and a router whose holder was SIGKILLed
/// (a dead owner). Waits on output lines and exits, never on time.
/// </summary>
internal sealed class OperatorRegistry
{
    private OperatorRegistry(CliSandbox sandbox, int liveHolder, int deadHolder, int deadLeaseHolder)
    {
        Sandbox = sandbox;
        LiveHolderPid = liveHolder;
        DeadHolderPid = deadHolder;
        DeadLeaseHolderPid = deadLeaseHolder;
    }

    internal CliSandbox Sandbox { get; }

    /// <summary>Gets the pid of the live process holding router r2 as job-live.</summary>
    internal int LiveHolderPid { get; }

    /// <summary>Gets the pid of the SIGKILLed process that held router r3 as job-gone.</summary>
    internal int DeadHolderPid { get; }

    /// <summary>Gets the pid of the exited process that owned the lease run-1 on web-1, which is left.</summary>
    internal int DeadLeaseHolderPid { get; }

    internal static async Task<OperatorRegistry> SeedAsync(CliSandbox sandbox)
    {
        await ExpectAsync(sandbox, "REGISTERED", "register", "web-1", "10.0.0.10/24", "r1", "02:00:00:00:00:0a");
        await ExpectAsync(sandbox, "REGISTERED", "register", "web-2", "10.0.0.11/24", "r2", "02:00:00:00:00:0b");

        // The lease's owner (--pid) is a process that then exits: the lease is stale from then on.
        using var owner = ChildProcess.Start("/bin/sh", ["-c", "echo ready; read line"], "lease owner");
        await owner.ExpectAsync("ready");
        await ExpectAsync(sandbox, "1", "lease-acquire", "run-1", "web-1", "r1", "--dscp", "32", "--pid", owner.Pid.ToString(CultureInfo.InvariantCulture));
        owner.SendLine("exit");
        await owner.WaitForExitAsync();

        var live = sandbox.Start("lock", "r2", "job-live", "--hold", "-1");
        (await live.ReadLineAsync()).Should().StartWith("ACQUIRED ");

        var doomed = sandbox.Start("lock", "r3", "job-gone", "--hold", "-1");
        (await doomed.ReadLineAsync()).Should().StartWith("ACQUIRED ");
        await doomed.KillAsync();
        (await doomed.CompleteAsync()).ExitCode.Should().Be(137, "SIGKILL leaves the router held with a dead owner record");
        return new OperatorRegistry(sandbox, live.Pid, doomed.Pid, owner.Pid);
    }

    private static async Task ExpectAsync(CliSandbox sandbox, string line, params string[] args)
    {
        var result = await sandbox.RunAsync(args);
        result.Lines.Should().Equal([line], result.ToString());
    }
}
