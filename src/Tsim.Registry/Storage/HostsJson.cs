using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tsim.Registry.Storage;

/// <summary>
/// Reads and writes <c>hosts.json</c> host by host, so that each host's bytes are formatted once and then copied: a
/// registration in a registry of N hosts costs one copy of the file instead of formatting N hosts (most of its CPU
/// time at 1,000 hosts), also right after another process wrote the file.
/// </summary>
internal static class HostsJson
{
    private static JsonTypeInfo<Dictionary<string, HostRecord>> FileTypeInfo => RegistryJsonContext.Default.DictionaryStringHostRecord;

    /// <summary>
    /// Writes compact JSON from each host's <see cref="HostRecord.MemberJson"/>: the serialiser's output byte for byte
    /// for hosts this library formatted, and the very bytes of the file for hosts adopted from a compactly written file
    /// (the same JSON value, in the spelling of whoever wrote it). <paramref name="encoder"/> escapes host names that
    /// are formatted here.
    /// </summary>
    internal static void Write(IBufferWriter<byte> output, Dictionary<string, HostRecord> hosts, JavaScriptEncoder? encoder)
    {
        output.Write("{"u8);
        var first = true;
        foreach (var (name, record) in hosts)
        {
            if (!first)
            {
                output.Write(","u8);
            }

            output.Write(record.MemberJson(name, encoder));
            first = false;
        }

        output.Write("}"u8);
    }

    /// <summary>
    /// Parses the file as the serialiser would, and keeps the bytes of each host that is written compactly (as this
    /// library writes it) as that host's member JSON, so that writing the file back does not format it again. A host
    /// another writer wrote compactly is then written back in that writer's spelling (say, Python's
    /// <c>1795704191.0</c>, which stays a float for Python): the same JSON value, never re-spelled.
    /// </summary>
    /// <returns>The hosts, or <see langword="null"/> when the file's top level is <c>null</c>.</returns>
    /// <exception cref="JsonException">The file does not parse; exactly the serialiser's exception.</exception>
    internal static Dictionary<string, HostRecord>? Read(byte[] bytes)
    {
        try
        {
            return ReadMembers(bytes) ?? JsonSerializer.Deserialize(bytes, FileTypeInfo);
        }
        catch (JsonException)
        {
            // Anything unusual (a top level that is not an object, a syntax error): let the serialiser parse it, so that
            // the exception and its position are exactly what every other registry file reports.
            return JsonSerializer.Deserialize(bytes, FileTypeInfo);
        }
    }

    /// <returns><see langword="null"/> when the top level is not an object (the serialiser decides what it is).</returns>
    private static Dictionary<string, HostRecord>? ReadMembers(byte[] bytes)
    {
        var options = FileTypeInfo.Options;
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            AllowTrailingCommas = options.AllowTrailingCommas,
            CommentHandling = options.ReadCommentHandling,
            MaxDepth = options.MaxDepth,
        });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var hosts = new Dictionary<string, HostRecord>(StringComparer.Ordinal);
        var memory = bytes.AsMemory();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var memberStart = (int)reader.TokenStartIndex; // the name's opening quote
            var name = reader.GetString()!;
            reader.Read();
            var record = JsonSerializer.Deserialize(ref reader, RegistryJsonContext.Default.HostRecord);
            var member = memory[memberStart..(int)reader.BytesConsumed];
            if (record is not null && IsCompact(member.Span))
            {
                record.AdoptMember(name, member);
            }

            hosts[name] = record!; // A null entry is reported by the caller's check, as for every file.
        }

        if (reader.Read())
        {
            throw new JsonException("Content after the top-level object."); // Parsed again by the serialiser for its message.
        }

        return hosts;
    }

    /// <summary>Whether a member has no whitespace outside its strings: the form the serialiser writes.</summary>
    private static bool IsCompact(ReadOnlySpan<byte> json)
    {
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var b = json[i];
            if (inString)
            {
                if (b == '\\')
                {
                    i++; // The escaped character, whatever it is.
                }
                else if (b == '"')
                {
                    inString = false;
                }
            }
            else if (b == '"')
            {
                inString = true;
            }
            else if (b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                return false;
            }
        }

        return true;
    }
}
