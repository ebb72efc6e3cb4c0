using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tsim.Registry.Storage;

/// <summary>
/// Turns the <c>additionalInfo</c> a caller passes into JSON without reflection: strings, booleans, numbers,
/// <see langword="null"/>, <see cref="JsonElement"/>, <see cref="JsonNode"/>, dictionaries with string keys and
/// sequences of those, nested at most <see cref="RegistryJsonDepth.AdditionalInfo"/> levels and without cycles.
/// Anything else is refused with an <see cref="ArgumentException"/> before anything is touched, so what lands on disk
/// is exactly what Python, and every reader of this library, reads back.
/// </summary>
internal static class AdditionalInfoJson
{
    private const string Supported = "use strings, numbers, booleans, null, dictionaries, lists or JsonElement";

    /// <exception cref="ArgumentException">A key or value has no JSON form here, a container contains itself, or the
    /// dictionary nests deeper than <see cref="RegistryJsonDepth.AdditionalInfo"/> levels.</exception>
    internal static Dictionary<string, JsonElement>? ToElements(IReadOnlyDictionary<string, object?>? info, string paramName)
    {
        if (info is null || info.Count == 0)
        {
            return null;
        }

        // The containers from the dictionary down to the value in hand: meeting one of them again is a cycle, which
        // would otherwise recurse until the stack overflows and takes the process with it. A container that merely
        // appears twice side by side is no cycle and is fine.
        var walk = new Walk(paramName);
        walk.Enter(info, string.Empty, level: 1);
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

            // The dictionary is level 1, so its values open level 2.
            result[key] = JsonSerializer.SerializeToElement(ToNode(value, walk, key, level: 2), JsonNodeContext.Default.JsonNode);
        }

        return result;
    }

    // level: the level a container at path opens (the dictionary itself is 1).
    private static JsonNode? ToNode(object? value, Walk walk, string path, int level) => value switch
    {
        null => null,
        JsonElement element => FromElement(element, walk, path, level),
        JsonNode node => FromNode(node, walk, path, level),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int or long or short or byte or sbyte or ushort or uint => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong u => JsonValue.Create(u),
        double d when double.IsFinite(d) => JsonValue.Create(d),
        float f when float.IsFinite(f) => JsonValue.Create((double)f),
        decimal m => JsonValue.Create(m),
        IEnumerable<KeyValuePair<string, object?>> map => ToObject(map, walk, path, level),
        IDictionary dictionary => ToObject(dictionary, walk, path, level),
        IEnumerable sequence => ToArray(sequence, walk, path, level),
        _ => throw new ArgumentException(
            $"{walk.ParamName}['{path}'] has a value of type {value.GetType().Name}, which has no JSON form here; {Supported}.",
            walk.ParamName),
    };

    private static JsonObject ToObject(IEnumerable<KeyValuePair<string, object?>> map, Walk walk, string path, int level)
    {
        walk.Enter(map, path, level);
        var result = new JsonObject();
        foreach (var (key, value) in map)
        {
            result[key] = ToNode(value, walk, $"{path}.{key}", level + 1);
        }

        walk.Leave(map);
        return result;
    }

    private static JsonObject ToObject(IDictionary dictionary, Walk walk, string path, int level)
    {
        walk.Enter(dictionary, path, level);
        var result = new JsonObject();
        foreach (DictionaryEntry entry in dictionary)
        {
            var key = entry.Key as string
                ?? throw new ArgumentException($"{walk.ParamName}['{path}'] has a key that is not a string.", walk.ParamName);
            result[key] = ToNode(entry.Value, walk, $"{path}.{key}", level + 1);
        }

        walk.Leave(dictionary);
        return result;
    }

    private static JsonArray ToArray(IEnumerable sequence, Walk walk, string path, int level)
    {
        walk.Enter(sequence, path, level);
        var result = new JsonArray();
        var index = 0;
        foreach (var item in sequence)
        {
            result.Add(ToNode(item, walk, $"{path}[{index++}]", level + 1));
        }

        walk.Leave(sequence);
        return result;
    }

    private static JsonNode? FromElement(JsonElement element, Walk walk, string path, int level)
    {
        walk.ThrowIfDeeper(LevelsOf(element, Budget(level)), path, level);

        // Within the limit now, which is below the read depth these options allow.
        return JsonNode.Parse(element.GetRawText(), documentOptions: new JsonDocumentOptions { MaxDepth = RegistryJsonDepth.Read });
    }

    private static JsonNode FromNode(JsonNode node, Walk walk, string path, int level)
    {
        // A JsonNode has one parent, so it cannot contain itself; only its depth needs checking.
        walk.ThrowIfDeeper(LevelsOf(node, Budget(level)), path, level);
        return node.DeepClone();
    }

    /// <summary>How many levels a value opening <paramref name="level"/> may nest.</summary>
    private static int Budget(int level) => RegistryJsonDepth.AdditionalInfo - level + 1;

    /// <summary>How many levels <paramref name="element"/> nests (0 for a scalar), counted up to one past <paramref name="budget"/>.</summary>
    /// <remarks>Stops descending past the budget, so a caller's element of any depth costs at most that much stack.</remarks>
    private static int LevelsOf(JsonElement element, int budget) => LevelsBelow(
        element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().Select(p => p.Value),
            JsonValueKind.Array => element.EnumerateArray(),
            _ => null,
        },
        budget,
        LevelsOf);

    /// <summary>As <see cref="LevelsOf(JsonElement, int)"/>, for a <see cref="JsonNode"/>.</summary>
    private static int LevelsOf(JsonNode? node, int budget) =>
        node is JsonValue value && value.TryGetValue<JsonElement>(out var element)
            ? LevelsOf(element, budget) // A value that wraps an element nests as the element does.
            : LevelsBelow(
                node switch
                {
                    JsonObject obj => obj.Select(p => p.Value),
                    JsonArray array => array,
                    _ => null,
                },
                budget,
                LevelsOf);

    /// <summary>One level for the container, plus its deepest child's, descending no further than the budget.</summary>
    private static int LevelsBelow<T>(IEnumerable<T>? children, int budget, Func<T, int, int> levelsOf)
    {
        if (children is null)
        {
            return 0;
        }

        var deepest = 0;
        foreach (var child in children)
        {
            if (deepest >= budget)
            {
                break;
            }

            deepest = Math.Max(deepest, levelsOf(child, budget - 1));
        }

        return deepest + 1;
    }

    /// <summary>One conversion's argument name and the containers on the path to the value in hand.</summary>
    private sealed class Walk(string paramName)
    {
        private readonly HashSet<object> _path = new(ReferenceEqualityComparer.Instance);

        internal string ParamName => paramName;

        /// <exception cref="ArgumentException">The container is already on the path, or opens a level past the limit.</exception>
        internal void Enter(object container, string path, int level)
        {
            if (!_path.Add(container))
            {
                throw new ArgumentException(
                    $"{paramName}['{path}'] is a dictionary or list that contains itself (a cycle), which has no JSON form; {Supported} that end.",
                    paramName);
            }

            ThrowIfDeeper(1, path, level);
        }

        internal void Leave(object container) => _path.Remove(container);

        /// <summary>Refuses a value at <paramref name="path"/> that nests <paramref name="levels"/> levels from <paramref name="level"/> on.</summary>
        /// <exception cref="ArgumentException">It reaches past <see cref="RegistryJsonDepth.AdditionalInfo"/>.</exception>
        internal void ThrowIfDeeper(int levels, string path, int level)
        {
            if (levels > 0 && level + levels - 1 > RegistryJsonDepth.AdditionalInfo)
            {
                var where = path.Length == 0 ? paramName : $"{paramName}['{path}']";
                throw new ArgumentException(
                    $"{where} nests deeper than {RegistryJsonDepth.AdditionalInfo} levels ({paramName} itself is level 1), the most additional information may nest, so that the hosts file stays readable; flatten it.",
                    paramName);
            }
        }
    }
}
