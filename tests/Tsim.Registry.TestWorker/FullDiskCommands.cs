using System.Runtime.InteropServices;
using static Tsim.Registry.TestWorker.Protocol;

namespace Tsim.Registry.TestWorker;

/// <summary>A write that fails half way: a full disk, simulated with RLIMIT_FSIZE in this process only.</summary>
internal static partial class FullDiskCommands
{
    /// <summary>RLIMIT_FSIZE from &lt;sys/resource.h&gt;: the largest file offset this process may write to.</summary>
    private const int RlimitFsize = 1;

    /// <summary>SIGXFSZ on Linux: sent when a write crosses RLIMIT_FSIZE; its default action kills the process.</summary>
    private const int Sigxfsz = 25;

    /// <summary>
    /// <c>register-limited LIMIT_BYTES INFO_BYTES</c>: limits every file this process writes to LIMIT_BYTES (SIGXFSZ
    /// ignored, so write(2) fails with EFBIG instead of killing it), then registers host <c>big</c> with an
    /// additional field of INFO_BYTES characters. Prints <c>raised TYPE</c> (the exception's type name, message on
    /// stderr) or <c>registered</c>.
    /// </summary>
    internal static int RegisterLimited(RegistryManager manager, WorkerArguments arguments)
    {
        var limit = (ulong)arguments.PositionalInt(0, "limit bytes");
        var infoBytes = arguments.PositionalInt(1, "info bytes");
        using var ignoreXfsz = PosixSignalRegistration.Create((PosixSignal)Sigxfsz, context => context.Cancel = true);
        var rlimit = new RLimit { Current = limit, Maximum = limit };
        if (SetRLimit(RlimitFsize, ref rlimit) != 0)
        {
            throw new InvalidOperationException($"setrlimit(RLIMIT_FSIZE) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            manager.CheckAndRegisterHost("big", "10.200.0.1", "r1", "02:00:00:00:00:ff", new Dictionary<string, object?> { ["blob"] = new string('x', infoBytes) });
            Say("registered");
            return 0;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine(ex.ToString());
            Say($"raised {ex.GetType().Name}");
            return 1;
        }
    }

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetRLimit(int resource, ref RLimit limit);

    /// <summary>struct rlimit: two rlim_t (unsigned long) on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
