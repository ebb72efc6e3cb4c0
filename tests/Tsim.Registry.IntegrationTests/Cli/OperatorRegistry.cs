namespace Tsim.Registry.IntegrationTests.Cli;

/// <summary>
/// A sandbox registry seeded for the operator commands through the CLI alone: two hosts, a lease whose process has
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

    /// <summary>Gets the pid of the exited <c>lease-acquire</c> process whose lease (run-1 on web-1) is left.</summary>
    internal int DeadLeaseHolderPid { get; }

    internal static async Task<OperatorRegistry> SeedAsync(CliSandbox sandbox)
    {
        await ExpectAsync(sandbox, "REGISTERED", "register", "web-1", "10.0.0.10/24", "r1", "02:00:00:00:00:0a");
        await ExpectAsync(sandbox, "REGISTERED", "register", "web-2", "10.0.0.11/24", "r2", "02:00:00:00:00:0b");

        // The lease's process is the CLI run itself, which exits: the lease is stale from then on.
        var lease = sandbox.Start("lease-acquire", "run-1", "web-1", "r1", "--dscp", "32");
        lease.CloseInput();
        var leaseRun = await lease.CompleteAsync();
        leaseRun.Lines.Should().Equal(["1"], leaseRun.ToString());

        var live = sandbox.Start("lock", "r2", "job-live", "--hold", "-1");
        (await live.ReadLineAsync()).Should().StartWith("ACQUIRED ");

        var doomed = sandbox.Start("lock", "r3", "job-gone", "--hold", "-1");
        (await doomed.ReadLineAsync()).Should().StartWith("ACQUIRED ");
        await doomed.KillAsync();
        (await doomed.CompleteAsync()).ExitCode.Should().Be(137, "SIGKILL leaves the router held with a dead owner record");
        return new OperatorRegistry(sandbox, live.Pid, doomed.Pid, lease.Pid);
    }

    private static async Task ExpectAsync(CliSandbox sandbox, string line, params string[] args)
    {
        var result = await sandbox.RunAsync(args);
        result.Lines.Should().Equal([line], result.ToString());
    }
}
