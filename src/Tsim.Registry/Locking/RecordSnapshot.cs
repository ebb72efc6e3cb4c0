namespace Tsim.Registry.Locking;

/// <summary>A fingerprint of a lock's records: the lock file's bytes and the slot's sequence.</summary>
/// <param name="File">The lock file's content, or <see langword="null"/> when there is none.</param>
/// <param name="SlotSequence">The slot's sequence number, or -1 when there is no slot file.</param>
/// <param name="SlotEmpty">True when the slot holds no record (or does not exist).</param>
internal sealed record RecordSnapshot(byte[]? File, long SlotSequence, bool SlotEmpty)
{
    /// <summary>Gets a value indicating whether neither place holds anything, usable or not.</summary>
    internal bool IsEmpty => File is null && SlotEmpty;

    /// <summary>
    /// Compares by content: the same bytes in the file and the same slot sequence. Unlike
    /// <see cref="OwnerRecord.IsSameHoldAs"/>, which compares two parsed records, this notices any write, even of a
    /// record that does not parse; the record's own equality would compare the byte arrays by reference.
    /// </summary>
    internal bool SameAs(RecordSnapshot other) =>
        SlotSequence == other.SlotSequence && SlotEmpty == other.SlotEmpty &&
        (File is null ? other.File is null : other.File is not null && File.AsSpan().SequenceEqual(other.File));
}
