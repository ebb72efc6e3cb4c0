
namespace Tsim.Registry.Cli.Demo;

/// <summary>The <c>demo</c> options, checked.</summary>
/// <param name="Seconds">How long each worker plays.</param>
/// <param name="Workers">How many worker processes.</param>
/// <param name="Routers">How many routers (<c>router-1</c> …).</param>
/// <param name="Keep">Leave the registry directory and semaphores for inspection.</param>
/// <param name="Json">Print the summary as JSON (and no progress).</param>
internal sealed record DemoSettings(double Seconds, int Workers, int Routers, bool Keep, bool Json)
{
    /// <summary>Worker numbers form the second octet of the job hosts' addresses (10.W.x.y).</summary>
    internal const int MaxWorkers = 64;

    /// <summary>Job host keys reserve 8 slots per job for its routers.</summary>
    internal const int MaxRouters = 8;

    internal const double MaxSeconds = 3600;
}
