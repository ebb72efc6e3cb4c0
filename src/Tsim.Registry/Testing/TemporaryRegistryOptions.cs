using Microsoft.Extensions.Logging;

namespace Tsim.Registry.Testing;

/// <summary>How a <see cref="TemporaryRegistry"/> is made: where its directory goes, and what its managers share.</summary>
public sealed class TemporaryRegistryOptions
{
    /// <summary>
    /// Gets or sets the directory the registry's own directory is created in; <see cref="TemporaryRegistry.DefaultParentDirectory"/>
    /// (<c>/dev/shm</c>, a RAM file system like a real registry's) by default. Created if missing. It must be local
    /// to this machine: leftovers are judged by the creator's pid, which another machine sharing the directory would
    /// take for a dead process's.
    /// </summary>
    public string ParentDirectory { get; set; } = TemporaryRegistry.DefaultParentDirectory;

    /// <summary>
    /// Gets or sets what every manager of the registry (and every configuration file written for a child process) sets
    /// on top of the registry's directory and prefix: <see cref="RegistryManagerOptions.SharedWithPython"/>, file
    /// names, timeouts. It may move the registry or lock directory, but only inside the temporary directory, and must
    /// not change the prefix.
    /// </summary>
    public Action<RegistryManagerOptions>? ConfigureManagers { get; set; }

    /// <summary>
    /// Gets or sets where the managers and the registry itself log; nothing is logged when <see langword="null"/>
    /// (the default). A test that wants the library's log in its output passes its test framework's logger here.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
