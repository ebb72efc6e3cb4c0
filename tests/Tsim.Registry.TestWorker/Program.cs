using System.Diagnostics;

namespace Tsim.Registry.TestWorker;

/// <summary>
/// The helper process of the integration tests: one registry operation per run, driven over
/// stdin and reporting on stdout, one line per event, so tests synchronise on lines and never on sleeps.
/// </summary>
/// <remarks>
/// <code>
/// Tsim.Registry.TestWorker COMMAND --registry-dir DIR --prefix PREFIX [--registry-timeout S] [--no-signal-release]
///                           [--no-shared-with-python] [--probe-interval S] [--group G] [--ip-scope global|router] ARGS...
/// Tsim.Registry.TestWorker COMMAND --config FILE [--registry-dir DIR] [--prefix PREFIX] [same options] ARGS...
///                                        options from a configuration file (a tsim host's config.json, or the
///                                        specification's), the other options on top of it
///
/// lock ROUTER JOB [--timeout S]          "acquired" | "timeout" (exit 1); then reads one stdin line:
/// lock-all R1,R2,... JOB [--timeout S]     release  -> "released TS", exit 0
///                                          dispose  -> disposes the manager without releasing, "disposed",
///                                                      then exits 0 on the next line
///                                          abandon  -> "abandoning", then SIGKILLs itself (a crash: nothing
///                                                      released, no exit handler runs)
/// lock-loop ROUTER N --marker FILE [--counter FILE]
/// lock-all-loop R1,R2,... N --marker-dir DIR
/// register-range START COUNT [--dup-every K] [--router R]
/// lease-loop HOST RUN N [--hold] [--neighbor IP] [--router R]
///                                        loops print "ready" and start on the stdin line "go"
/// wait ROUTER [--timeout S]              "waiting", then "free ELAPSED_MS TS" | "timeout ELAPSED_MS" (exit 1)
/// hold | chaos-loop | chaos-two-locks | register-loop
///                                        crash-safety commands, meant to be killed: see CrashCommands
/// acquire-loop ROUTER                    on each "next": "waiting", then "acquired TS" (and a release)
/// hold-busy ROUTER JOB                   "acquired TS", then "alive TS" lines from a thread until "exit" ends the process
/// register-limited LIMIT INFO_BYTES      under RLIMIT_FSIZE=LIMIT: "raised TYPE" (exit 1) | "registered"
/// dispose-race ROUTER ITERATIONS         disposes managers while threads read owner records: "survived N" (see SlotCommands)
/// register-then-dispose TRIALS BASE      disposes managers while a thread registers hosts (see DisposeCommands)
/// register-until-stop BASE               registers hosts until "stop": "registered NAME"..., "done N"
/// temporary-registry PARENT              a TemporaryRegistry of its own: "ready DIRECTORY PREFIX", then "dispose"
///                                        -> "disposed" (see TemporaryRegistryCommands); meant to be killed before
/// </code>
/// TS is a <see cref="Stopwatch"/> timestamp: on Linux CLOCK_MONOTONIC nanoseconds, one clock for every process,
/// so a test can order events of different workers. Timeouts in seconds; a negative timeout waits for ever.
/// Exit codes: 0 done, 1 negative outcome (timeout, not held), 2 usage or unexpected error.
/// </remarks>
internal static class Program
{
    /// <summary>Registry-lock timeout of the worker: generous, because tests run beside each other on two cores.</summary>
    private static readonly double s_defaultRegistryTimeoutSeconds = 60;

    private static int Main(string[] args)
    {
        try
        {
            if (args is ["temporary-registry", ..])
            {
                return TemporaryRegistryCommands.Hold(args); // Makes its own registry: no --registry-dir, no --prefix.
            }

            var arguments = WorkerArguments.Parse(args);
            var manager = CreateManager(arguments);
            try
            {
                return arguments.Command switch
                {
                    "lock" => LockCommands.Hold(manager, arguments, all: false),
                    "lock-all" => LockCommands.Hold(manager, arguments, all: true),
                    "lock-loop" => LockCommands.LockLoop(manager, arguments),
                    "lock-all-loop" => LockCommands.LockAllLoop(manager, arguments),
                    "wait" => LockCommands.Wait(manager, arguments),
                    "register-range" => RegistryCommands.RegisterRange(manager, arguments),
                    "lease-loop" => RegistryCommands.LeaseLoop(manager, arguments),
                    "hold" => CrashCommands.Hold(manager, arguments),
                    "acquire-loop" => CrashCommands.AcquireLoop(manager, arguments),
                    "hold-busy" => CrashCommands.HoldBusy(manager, arguments),
                    "chaos-loop" => CrashCommands.ChaosLoop(manager, arguments),
                    "chaos-two-locks" => CrashCommands.ChaosTwoLocks(manager, arguments),
                    "register-loop" => CrashCommands.RegisterLoop(manager, arguments),
                    "register-limited" => FullDiskCommands.RegisterLimited(manager, arguments),
                    "dispose-race" => SlotCommands.DisposeRace(manager, arguments),
                    "register-then-dispose" => DisposeCommands.RegisterThenDispose(arguments),
                    "register-until-stop" => DisposeCommands.RegisterUntilStop(manager, arguments),
                    _ => throw new UsageException($"unknown command '{arguments.Command}'"),
                };
            }
            finally
            {
                manager.Dispose();
            }
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"usage: {ex.Message}");
            return 2;
        }
        catch (Exception ex)
        {
            // The test prints stderr when an expected line does not come: give it the whole story.
            Console.Error.WriteLine($"ERROR {ex}");
            return 2;
        }
    }

    /// <summary>The manager of every command; <see cref="SlotCommands"/> builds more from the same options.</summary>
    internal static RegistryManager CreateManager(WorkerArguments arguments) => new(CreateOptions(arguments));

    /// <summary>
    /// The options: from <c>--config FILE</c> when given (<see cref="RegistryManagerOptions.FromJsonFile"/>, either shape
    /// of document, a tsim host's <c>config.json</c> included), then the command-line options on top of it. Without a
    /// file, <c>--registry-dir</c> and <c>--prefix</c> are required and the registry-lock timeouts are the worker's
    /// generous default; with one, they default to the file's.
    /// </summary>
    internal static RegistryManagerOptions CreateOptions(WorkerArguments arguments)
    {
        var config = arguments.Optional("--config");
        var options = config is null ? new RegistryManagerOptions() : RegistryManagerOptions.FromJsonFile(config);
        options.RegistryDirectory = config is null ? arguments.Required("--registry-dir") : arguments.Optional("--registry-dir") ?? options.RegistryDirectory;
        options.SemaphorePrefix = config is null ? arguments.Required("--prefix") : arguments.Optional("--prefix") ?? options.SemaphorePrefix;
        options.SharedWithPython = !arguments.Flag("--no-shared-with-python");
        options.LockProbeIntervalSeconds = arguments.OptionalDouble("--probe-interval", options.LockProbeIntervalSeconds);
        if (arguments.Optional("--group") is { } group)
        {
            options.Group = group;
        }

        if (arguments.Optional("--ip-scope") is { } scope)
        {
            options.IpCollisionScope = scope switch
            {
                "global" => IpCollisionScope.Global,
                "router" => IpCollisionScope.Router,
                _ => throw new UsageException($"--ip-scope must be 'global' or 'router' (got '{scope}')"),
            };
        }

        if (config is null || arguments.Optional("--registry-timeout") is not null)
        {
            var registryTimeout = arguments.OptionalDouble("--registry-timeout", s_defaultRegistryTimeoutSeconds);
            options.LockTimeouts.HostRegistrySeconds = registryTimeout;
            options.LockTimeouts.HostLeasesSeconds = registryTimeout;
            options.LockTimeouts.NeighborLeasesSeconds = registryTimeout;
        }

        return options;
    }
}
