
namespace Tsim.Registry.Cli;

internal static class Program
{
    private static int Main(string[] args) => CliApplication.Run(args, Console.In, Console.Out, Console.Error);
}
