using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tsim.Registry.Diagnostics;

namespace Tsim.Registry.Storage;

/// <summary>
/// Parses a registry file and turns every way it can be unusable into a <see cref="RegistryCorruptionException"/> that
/// names the file and the position, so an operator can find the damage, and says whether the file is JSON all the
/// same (<see cref="RegistryCorruptionException.ParsesAsJson"/>): such a file is never moved aside by repair.
/// </summary>
internal static class RegistryFileParser
{
    private const string MoveAside = "It was left untouched; move it aside to continue (QuarantineCorruptFiles, tsim-registry repair).";

    private const string CorrectByHand =
        "It was left untouched, and repair does not move it, because it is JSON (Python may still read it): correct it by hand.";

    /// <exception cref="RegistryCorruptionException">The bytes do not parse (not JSON, or not of the file's shape, or
    /// nested deeper than <see cref="RegistryJsonDepth.Read"/>), the top level is null, or an entry is null.</exception>
    internal static T Parse<T>(RegistryFile<T> file, string path, byte[] bytes, ILogger logger)
        where T : class, new()
    {
        T? data;
        try
        {
            data = file.ReadFrom is { } read ? read(bytes) : JsonSerializer.Deserialize(bytes, file.TypeInfo);
        }
        catch (JsonException ex)
        {
            logger.RegistryFileCorrupt(path, ex.LineNumber + 1, ex.BytePositionInLine + 1, ex);
            var isJson = JsonSyntax.IsWellFormed(bytes);
            throw new RegistryCorruptionException(
                $"Registry file '{path}' is corrupt at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {ex.Message} {(isJson ? CorrectByHand : MoveAside)}",
                ex)
            {
                FilePath = path,
                LineNumber = ex.LineNumber,
                BytePositionInLine = ex.BytePositionInLine,
                ParsesAsJson = isJson,
            };
        }

        if (data is null)
        {
            var (line, byteInLine) = FirstTokenPosition(bytes);
            throw new RegistryCorruptionException(
                $"Registry file '{path}' is corrupt at line {line + 1}, byte {byteInLine + 1}: its top level is null, not a JSON object. {CorrectByHand}")
            {
                FilePath = path,
                LineNumber = line,
                BytePositionInLine = byteInLine,
                ParsesAsJson = true,
            };
        }

        if (file.FindNullEntry(data) is { } problem)
        {
            // Parses, but every operation on it would fail with a NullReferenceException: corrupt all the same.
            throw new RegistryCorruptionException($"Registry file '{path}' is corrupt: {problem}. {CorrectByHand}")
            {
                FilePath = path,
                ParsesAsJson = true,
            };
        }

        return data;
    }

    /// <summary>Zero-based line and byte-in-line of the first JSON token (the document parsed, so there is one).</summary>
    private static (long Line, long BytePositionInLine) FirstTokenPosition(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        var offset = reader.Read() ? (int)reader.TokenStartIndex : 0;
        var lineStart = Array.LastIndexOf(bytes, (byte)'\n', Math.Max(0, offset - 1), offset) + 1;
        var line = bytes.AsSpan(0, offset).Count((byte)'\n');
        return (line, offset - lineStart);
    }
}
