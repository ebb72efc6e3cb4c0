
namespace Tsim.Registry.Tests.Infrastructure;

/// <summary>
/// Tests that measure the whole process (its CPU time) run alone, after the parallel tests, so that other tests'
/// work does not count against them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTests
{
    public const string Name = "Serial (process-wide measurements)";
}
