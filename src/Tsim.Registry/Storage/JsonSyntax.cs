using System.Text.Json;
using System.Text.Unicode;

namespace Tsim.Registry.Storage;

/// <summary>
/// Whether a file is JSON at all, whatever its shape and depth: what <c>repair</c> may move aside is only what is not
/// (docs/ARCHITECTURE.md, "Deviations", 10). A file that is JSON may hold hosts another reader still sees.
/// </summary>
internal static class JsonSyntax
{
    /// <summary>
    /// Whether <paramref name="bytes"/> are one JSON value in valid UTF-8, as Python's <c>json.load</c> requires (it
    /// decodes the file before it parses it): no comments, no trailing commas, no byte order mark, nothing after the
    /// value. Nesting is not limited here, so a file too deep to use still counts as JSON.
    /// </summary>
    internal static bool IsWellFormed(ReadOnlySpan<byte> bytes)
    {
        if (!Utf8.IsValid(bytes))
        {
            return false;
        }

        // The reader keeps one bit per open level, not a stack frame, so an unlimited depth costs no stack.
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = int.MaxValue });
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
