using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tsim.Registry.Storage;

/// <summary>
/// Turns the <c>additionalInfo</c> a caller passes into JSON without reflection: strings, booleans, numbers,
/// <see langword="null"/>, <see cref="JsonElement"/>, <see cref="JsonNode"/>, dictionaries with string keys and
/// sequences of those. Anything else is refused, so what lands on disk is exactly what Python would read back.
/// </summary>
internal static class AdditionalInfoJson
{
    internal static Dictionary<string, JsonElement>? ToElements(IReadOnlyDictionary<string, object?>? info, string paramName)
    {
        if (info is null || info.Count == 0)
        {
            return null;
        }

        var result = new Dictionary<string, JsonElement>(info.Count, StringComparer.Ordinal);
        foreach (var (key, value) in info)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw new ArgumentException($"{paramName} must not contain an empty key.", paramName);
            }

            if (HostRecord.ReservedFields.Contains(key))
            {
                throw new ArgumentException(
                    $"{paramName} must not contain the key '{key}': it would overwrite the host's own field of that name.", paramName);
            }

            result[key] = JsonSerializer.SerializeToElement(ToNode(value, paramName, key), JsonNodeContext.Default.JsonNode);
        }

        return result;
    }

    private static JsonNode? ToNode(object? value, string paramName, string path) => value switch
    {
        null => null,
        JsonElement element => JsonNode.Parse(element.GetRawText()),
        JsonNode node => node.DeepClone(),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int or long or short or byte or sbyte or ushort or uint => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong u => JsonValue.Create(u),
        double d when double.IsFinite(d) => JsonValue.Create(d),
        float f when float.IsFinite(f) => JsonValue.Create((double)f),
        decimal m => JsonValue.Create(m),
        IEnumerable<KeyValuePair<string, object?>> map => ToObject(map, paramName, path),
        IDictionary dictionary => ToObject(dictionary, paramName, path),
        IEnumerable sequence => ToArray(sequence, paramName, path),
        _ => throw new ArgumentException(
            $"{paramName}['{path}'] has a value of type {value.GetType().Name}, which has no JSON form here; use strings, numbers, booleans, null, dictionaries, lists or JsonElement.",
            paramName),
    };

    private static JsonObject ToObject(IEnumerable<KeyValuePair<string, object?>> map, string paramName, string path)
    {
        var result = new JsonObject();
        foreach (var (key, value) in map)
        {
            result[key] = ToNode(value, paramName, $"{path}.{key}");
        }

        return result;
    }

    private static JsonObject ToObject(IDictionary dictionary, string paramName, string path)
    {
        var result = new JsonObject();
        foreach (DictionaryEntry entry in dictionary)
        {
            var key = entry.Key as string
                ?? throw new ArgumentException($"{paramName}['{path}'] has a key that is not a string.", paramName);
            result[key] = ToNode(entry.Value, paramName, $"{path}.{key}");
        }

        return result;
    }

    private static JsonArray ToArray(IEnumerable sequence, string paramName, string path)
    {
        var result = new JsonArray();
        var index = 0;
        foreach (var item in sequence)
        {
            result.Add(ToNode(item, paramName, $"{path}[{index++}]"));
        }

        return result;
    }
}
