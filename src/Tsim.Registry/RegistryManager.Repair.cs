using Tsim.Registry.Diagnostics;
using Tsim.Registry.Storage;

namespace Tsim.Registry;

public sealed partial class RegistryManager
{
    /// <summary>
    /// Operator repair: moves every registry file that is not JSON at all (a syntax error, invalid UTF-8, a truncated
    /// write) aside to <c>FILE.corrupt-yyyyMMddTHHmmssZ</c> (UTC), so that the registry starts again from an empty file
    /// of that kind. Each file is judged and moved under its own registry lock, so no writer of this library (or of the
    /// Python implementation) can replace it in between. Files that parse are left as they are; nothing is ever deleted.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Never runs implicitly: a corrupt file is evidence, and the hosts and leases it held are lost to the registry
    /// once it is moved (their simulated hosts may need tearing down by hand).
    /// </para>
    /// <para>
    /// A file that is JSON but cannot be used (another shape, a <c>null</c> entry, nesting deeper than the library
    /// reads) is never moved: Python may still read every host in it. The other files are judged and moved all the
    /// same, then the <see cref="RegistryCorruptionException"/> of the first such file is thrown, naming the problem
    /// and what was moved; the operator corrects that file by hand.
    /// </para>
    /// </remarks>
    /// <returns>The files moved, in the order hosts, host leases, neighbour leases; empty when none is corrupt.</returns>
    /// <exception cref="RegistryLockTimeoutException">A registry lock was not acquired within its configured timeout.</exception>
    /// <exception cref="RegistryCorruptionException">A file is JSON but cannot be used; it was left where it is
    /// (<see cref="RegistryCorruptionException.FilePath"/>), and the message lists the files moved.</exception>
    /// <exception cref="RegistryException">A file could not be read or moved.</exception>
    public IReadOnlyList<QuarantinedFile> QuarantineCorruptFiles()
    {
        ThrowIfDisposed();
        var moved = new List<QuarantinedFile>();
        RegistryCorruptionException?[] kept =
        [
            QuarantineIfCorrupt(_documents.Hosts.Document, moved),
            QuarantineIfCorrupt(_documents.HostLeases.Document, moved),
            QuarantineIfCorrupt(_documents.NeighborLeases.Document, moved),
        ];
        if (kept.FirstOrDefault(e => e is not null) is { } first)
        {
            throw KeptInPlace(first, moved);
        }

        return moved;
    }

    /// <returns>The error of a file that is JSON but cannot be used, which stays where it is; otherwise null.</returns>
    private RegistryCorruptionException? QuarantineIfCorrupt<T>(RegistryDocument<T> document, List<QuarantinedFile> moved)
        where T : class, new()
    {
        QuarantinedFile? quarantined;
        try
        {
            quarantined = document.QuarantineIfCorrupt(_timeProvider.GetUtcNow());
        }
        catch (RegistryCorruptionException ex) when (ex.ParsesAsJson)
        {
            return ex; // Reported after the other files had their turn.
        }

        if (quarantined is null)
        {
            return null; // Parses: nothing to do.
        }

        _logger.RegistryFileQuarantined(quarantined.FilePath, quarantined.QuarantinePath);
        Audit("quarantine_corrupt_file", w =>
        {
            w.WriteString("file", quarantined.FilePath);
            w.WriteString("moved_to", quarantined.QuarantinePath);
        });
        moved.Add(quarantined);
        return null;
    }

    /// <summary>The first kept file's error, with the moves this repair made (its return value is lost to the throw).</summary>
    private static RegistryCorruptionException KeptInPlace(RegistryCorruptionException kept, List<QuarantinedFile> moved)
    {
        if (moved.Count == 0)
        {
            return kept;
        }

        var moves = string.Join("; ", moved.Select(m => $"'{m.FilePath}' to '{m.QuarantinePath}'"));
        return new RegistryCorruptionException($"{kept.Message} (This repair moved {moves}.)", kept)
        {
            FilePath = kept.FilePath,
            LineNumber = kept.LineNumber,
            BytePositionInLine = kept.BytePositionInLine,
            ParsesAsJson = true,
        };
    }
}
