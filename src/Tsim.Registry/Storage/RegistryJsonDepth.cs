namespace Tsim.Registry.Storage;

/// <summary>
/// How deeply registry JSON may nest: one limit for reading, the same everywhere a registry file or a value from one
/// is parsed or written back, and a lower one for what a caller may add, so that everything this library writes
/// is readable with room to spare (docs/ARCHITECTURE.md, "Deviations", 8 and 10).
/// </summary>
/// <remarks>
/// Levels are counted as System.Text.Json counts them: the outermost object of a file is level 1. In
/// <c>hosts.json</c> that object holds the host entries (level 2), and <c>additional_info</c> is merged into its
/// host's entry, so an <c>additionalInfo</c> dictionary nested N levels deep (the dictionary itself counted) makes
/// the file N + 1 levels deep.
/// </remarks>
internal static class RegistryJsonDepth
{
    /// <summary>
    /// The deepest registry file that is read (and written back unchanged). Python's <c>json</c> module stops at its
    /// recursion limit, 1000 by default (about 997 levels in practice), so every registry file Python can read is
    /// read here; System.Text.Json's own default, 64, refused files Python wrote and reads without complaint. Unknown
    /// fields are held as <see cref="System.Text.Json.JsonElement"/>s, which System.Text.Json parses and writes
    /// without recursion, so this depth costs no deep stack.
    /// </summary>
    internal const int Read = 1000;

    /// <summary>
    /// The deepest <c>additionalInfo</c> accepted (the dictionary itself counted): the hosts file then nests at most
    /// 64 levels, which every System.Text.Json reader with default options reads (versions of this library before
    /// <see cref="Read"/> existed, too), far below <see cref="Read"/>.
    /// </summary>
    internal const int AdditionalInfo = 63;
}
