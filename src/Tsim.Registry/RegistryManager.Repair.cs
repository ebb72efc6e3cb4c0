using Tsim.Registry.Diagnostics;
using Tsim.Registry.Storage;

namespace Tsim.Registry;

public sealed partial class RegistryManager
{
    /// <inheritdoc />
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
