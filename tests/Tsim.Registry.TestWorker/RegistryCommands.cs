using static Tsim.Registry.TestWorker.Protocol;


namespace Tsim.Registry.TestWorker;

/// <summary>Host registration and lease commands.</summary>
internal static class RegistryCommands
{
    private static readonly string s_defaultRouter = "r1";

    /// <summary>
    /// <c>register-range START COUNT [--dup-every K]</c>: registers <c>h&lt;i&gt;</c> for each i of the range, with
    /// the addresses of <see cref="HostAddresses"/>. With K, every i divisible by K also tries <c>x&lt;i&gt;</c>, which
    /// has the IP of <c>h&lt;i&gt;</c>, so exactly one of the two can ever be registered; every other such i tries
    /// <c>x&lt;i&gt;</c> first, so both kinds win somewhere. Prints <c>done REGISTERED COLLISIONS</c>.
    /// </summary>
    internal static int RegisterRange(RegistryManager manager, WorkerArguments arguments)
    {
        var start = arguments.PositionalInt(0, "start");
        var count = arguments.PositionalInt(1, "count");
        var dupEvery = arguments.OptionalInt("--dup-every", 0);
        var router = arguments.Optional("--router") ?? s_defaultRouter;

        ReadyThenWaitForGo();
        int registered = 0, collisions = 0;
        for (var i = start; i < start + count; i++)
        {
            var duplicate = dupEvery > 0 && i % dupEvery == 0;
            var duplicateFirst = duplicate && (i / dupEvery) % 2 == 1;
            if (duplicateFirst)
            {
                Count(RegisterDuplicate(i));
            }

            Count(manager.CheckAndRegisterHost(HostAddresses.Name(i), HostAddresses.Ip(i), router, HostAddresses.Mac(i)));
            if (duplicate && !duplicateFirst)
            {
                Count(RegisterDuplicate(i));
            }
        }

        Say($"done {Number(registered)} {Number(collisions)}");
        return 0;

        bool RegisterDuplicate(int i) =>
            manager.CheckAndRegisterHost(HostAddresses.DuplicateName(i), HostAddresses.Ip(i), router, HostAddresses.DuplicateMac(i));

        void Count(bool ok)
        {
            if (ok)
            {
                registered++;
            }
            else
            {
                collisions++;
            }
        }
    }

    /// <summary>
    /// <c>lease-loop HOST RUN N</c>: N times acquire and release a lease on HOST (and, with <c>--neighbor IP</c>, a
    /// neighbour lease), printing <c>done</c>. With <c>--hold</c>: acquire N, print <c>held REFCOUNT</c>, wait for
    /// <c>release</c>, release N, print <c>released REFCOUNT</c> (the counts the last call returned).
    /// </summary>
    internal static int LeaseLoop(RegistryManager manager, WorkerArguments arguments)
    {
        var host = arguments.Positional(0, "host");
        var run = arguments.Positional(1, "run id");
        var iterations = arguments.PositionalInt(2, "iterations");
        var neighbor = arguments.Optional("--neighbor");
        var router = arguments.Optional("--router") ?? s_defaultRouter;

        ReadyThenWaitForGo();
        if (!arguments.Flag("--hold"))
        {
            for (var i = 0; i < iterations; i++)
            {
                Acquire();
                Release();
            }

            Say("done");
            return 0;
        }

        var held = 0;
        for (var i = 0; i < iterations; i++)
        {
            held = Acquire();
        }

        Say($"held {Number(held)}");
        var command = ReadCommand();
        if (command != "release")
        {
            throw new UsageException($"expected 'release' on stdin, got '{command ?? "<EOF>"}'");
        }

        var left = 0;
        for (var i = 0; i < iterations; i++)
        {
            left = Release();
        }

        Say($"released {Number(left)}");
        return 0;

        int Acquire()
        {
            var refCount = manager.AcquireSourceHostLease(run, host, "worker", router);
            if (neighbor is not null)
            {
                manager.AcquireNeighborLease(run, host, neighbor);
            }

            return refCount;
        }

        int Release()
        {
            var result = manager.ReleaseSourceHostLease(run, host);
            if (neighbor is not null)
            {
                manager.ReleaseNeighborLease(run, host, neighbor);
            }

            return result.RefCount;
        }
    }
}
