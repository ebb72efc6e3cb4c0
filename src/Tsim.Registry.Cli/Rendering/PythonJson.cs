using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Tsim.Registry.Storage;

namespace Tsim.Registry.Cli.Rendering;

/// <summary>
/// Writes JSON the way the Python client prints it (<c>json.dumps(…, sort_keys=True)</c>, with or without
/// <c>indent=2</c>), so that scripts comparing output text see the same bytes from either side. Key order is the
/// caller's job (<see cref="SortedJsonObject"/>); this class owns the layout.
/// </summary>
internal static class PythonJson
{
    /// <summary>
    /// Relaxed escaping: Python escapes only what JSON requires among ASCII characters, where the default encoder
    /// would also escape '+', '&lt;', '&gt;', '&amp;' and '\''.
    /// </summary>
    /// <remarks>As deep as a registry file may be read (<see cref="RegistryJsonDepth.Read"/>), so whatever was read prints.</remarks>
    private static readonly JsonWriterOptions s_compact = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = RegistryJsonDepth.Read,
    };

    /// <summary><c>indent=2</c>: Python's separators are then ',' and ': ', which is what <see cref="Utf8JsonWriter"/> writes.</summary>
    private static readonly JsonWriterOptions s_indented = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = RegistryJsonDepth.Read,
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
    };

    /// <summary>Like <c>json.dumps(value, indent=2, sort_keys=True)</c>.</summary>
    internal static string Indented(Action<Utf8JsonWriter> write) => Write(write, s_indented);

    /// <summary>Like <c>json.dumps(value, sort_keys=True)</c>: one line, with Python's ", " and ": " separators.</summary>
    internal static string Compact(Action<Utf8JsonWriter> write) => WithPythonSeparators(Write(write, s_compact));

    /// <summary>
    /// Formats a float as Python's <c>repr</c> does for the values the registry stores (Unix timestamps): the
    /// shortest round-trip digits, and a ".0" on integral values, which .NET would print without.
    /// </summary>
    internal static string Float(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            return text.ToLowerInvariant();
        }

        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }

    /// <summary>Writes the element with the keys of every object, at any depth, in ordinal order (<c>sort_keys</c>).</summary>
    internal static void WriteSorted(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteSorted(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteSorted(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                // Numbers keep their stored text (1.0 stays 1.0), strings are re-escaped consistently.
                element.WriteTo(writer);
                break;
        }
    }

    private static string Write(Action<Utf8JsonWriter> write, JsonWriterOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Inserts a space after each ',' and ':' that separates tokens (outside strings).</summary>
    private static string WithPythonSeparators(string compactJson)
    {
        var result = new StringBuilder(compactJson.Length + (compactJson.Length / 4));
        var inString = false;
        var escaped = false;
        foreach (var c in compactJson)
        {
            result.Append(c);
            if (inString)
            {
                if (escaped)
                {
                    escaped = false;
                }
                else if (c == '\\')
                {
                    escaped = true;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c is ',' or ':')
            {
                result.Append(' ');
            }
        }

        return result.ToString();
    }
}
