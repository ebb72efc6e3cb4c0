
namespace Tsim.Registry.Cli;

/// <summary>The exit status protocol shared with the Python <c>interop_client.py</c> (README, "CLI reference").</summary>
internal static class ExitCodes
{
    /// <summary>The operation succeeded.</summary>
    internal const int Success = 0;

    /// <summary>A negative but expected outcome: COLLISION, NOT_FOUND, TIMEOUT, NOT_HELD, MISSING, no owner.</summary>
    internal const int NegativeOutcome = 1;

    /// <summary>An error (an exception, or a usage error); the reason is on stderr.</summary>
    internal const int Error = 2;
}
