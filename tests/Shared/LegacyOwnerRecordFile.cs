using Tsim.Registry.Locking;

namespace Tsim.Registry.TestSupport;

/// <summary>
/// Plants a router owner record the way versions of the library before presence files wrote it: JSON in the lock file
/// <c>LOCKDIR/LOCKNAME</c> itself. Readers still accept such records, so tests use them for a holder of an older
/// version (or a dead one) without running it.
/// </summary>
internal static class LegacyOwnerRecordFile
{
    /// <summary>Writes <paramref name="record"/> as the lock file of <paramref name="name"/>.</summary>
    internal static void WriteLegacyOwnerRecord(this LockFiles files, LockName name, OwnerRecord record) =>
        File.WriteAllBytes(files.OwnerRecordPath(name), SlotFile.Json(record));
}
