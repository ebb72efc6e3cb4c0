namespace Tsim.Registry.TestWorker;

internal static class Program
{
    private static int Main() => 0;
}
