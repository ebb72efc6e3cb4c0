using Tsim.Registry.Diagnostics;
using Tsim.Registry.Storage;

namespace Tsim.Registry;

public sealed partial class RegistryManager
{
    /// <summary>
    /// Operator repair: moves every registry file that does not parse aside to <c>FILE.corrupt-yyyyMMddTHHmmssZ</c>
    /// (UTC), so that the registry starts again from an empty file of that kind. Each file is judged and moved under
    /// its own registry lock, so no writer of this library (or of the Python implementation) can replace it in
    /// between. Files that parse are left as they are; nothing is ever deleted.
    /// </summary>
    /// <remarks>
    /// Never runs implicitly: a corrupt file is evidence, and the hosts and leases it held are lost to the registry
    /// once it is moved (their simulated hosts may need tearing down by hand).
    /// </remarks>
    /// <returns>The files moved, in the order hosts, host leases, neighbour leases; empty when none is corrupt.</returns>
    /// <exception cref="RegistryLockTimeoutException">A registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryException">A file could not be read or moved.</exception>
    public IReadOnlyList<QuarantinedFile> QuarantineCorruptFiles()
    {
        ThrowIfDisposed();
        var moved = new List<QuarantinedFile>();
        QuarantineIfCorrupt(_documents.Hosts.Document, moved);
        QuarantineIfCorrupt(_documents.HostLeases.Document, moved);
        QuarantineIfCorrupt(_documents.NeighborLeases.Document, moved);
        return moved;
    }

    private void QuarantineIfCorrupt<T>(RegistryDocument<T> document, List<QuarantinedFile> moved)
        where T : class, new()
    {
        if (document.QuarantineIfCorrupt(_timeProvider.GetUtcNow()) is not { } quarantined)
        {
            return; // Parses: nothing to do.
        }

        _logger.RegistryFileQuarantined(quarantined.FilePath, quarantined.QuarantinePath);
        Audit("quarantine_corrupt_file", w =>
        {
            w.WriteString("file", quarantined.FilePath);
            w.WriteString("moved_to", quarantined.QuarantinePath);
        });
        moved.Add(quarantined);
    }
}
