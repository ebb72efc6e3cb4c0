using System.Text;
using System.Text.Json;

namespace Tsim.Registry.TestSupport;

/// <summary>
/// Deeply nested JSON and additional information for the depth tests (docs/ARCHITECTURE.md, "Deviations", 8 and 10).
/// Levels are counted as System.Text.Json counts them: an object is one level, the outermost one level 1.
/// </summary>
internal static class NestedJson
{
    /// <summary><c>{"a":{"a":…{"leaf":1}…}}</c>: <paramref name="levels"/> objects, one inside the other.</summary>
    internal static string Object(int levels) =>
        string.Concat(Enumerable.Repeat("{\"a\":", levels - 1)) + "{\"leaf\":1}" + new string('}', levels - 1);

    /// <summary>The same as <see cref="Object"/>, as dictionaries: additional information <paramref name="levels"/> deep.</summary>
    internal static Dictionary<string, object?> Dictionary(int levels)
    {
        var inner = new Dictionary<string, object?> { ["leaf"] = 1 };
        for (var level = 1; level < levels; level++)
        {
            inner = new Dictionary<string, object?> { ["a"] = inner };
        }

        return inner;
    }

    /// <summary>
    /// A hosts file as Python's <c>json.dump(hosts, f, indent=2)</c> writes it after
    /// <c>check_and_register_host(name, …, additional_info)</c> with <paramref name="additionalInfoLevels"/> levels of
    /// additional information (the dictionary itself counted), merged into the entry: the file nests one level more.
    /// </summary>
    internal static byte[] PythonHostsFile(string hostName, string ip, string router, string mac, int additionalInfoLevels)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, IndentSize = 2, NewLine = "\n", MaxDepth = additionalInfoLevels + 2 }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(hostName);
            writer.WriteString("primary_ip", ip);
            writer.WriteString("connected_to", router);
            writer.WriteString("mac_address", mac);
            writer.WriteString("created_at", "Thu Nov 26 14:43:11 2026");
            writer.WriteNumber("registered_at_timestamp", 1795704191.5);
            writer.WritePropertyName("deep");
            using (var deep = JsonDocument.Parse(Object(additionalInfoLevels - 1), new JsonDocumentOptions { MaxDepth = additionalInfoLevels }))
            {
                deep.RootElement.WriteTo(writer);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>How many levels <paramref name="json"/> nests, by its brackets (strings skipped).</summary>
    internal static int LevelsOf(string json) => LevelsOf(Encoding.UTF8.GetBytes(json));

    /// <inheritdoc cref="LevelsOf(string)"/>
    internal static int LevelsOf(byte[] json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = int.MaxValue });
        var deepest = 0;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                deepest = Math.Max(deepest, reader.CurrentDepth + 1);
            }
        }

        return deepest;
    }
}
