using System.Text.Json;

namespace Tsim.Registry.Cli.Rendering;

/// <summary>
/// A JSON object whose members are written in ordinal key order, as Python's <c>sort_keys=True</c> does, built
/// member by member without reflection-based serialization.
/// </summary>
internal sealed class SortedJsonObject
{
    private readonly SortedDictionary<string, Action<Utf8JsonWriter>> _members = new(StringComparer.Ordinal);

    internal SortedJsonObject Add(string key, string? value)
    {
        _members[key] = w => WriteStringOrNull(w, value);
        return this;
    }

    /// <summary>Adds an integer, or JSON null (a lease's absent <c>dscp</c>).</summary>
    internal SortedJsonObject Add(string key, long? value)
    {
        _members[key] = w =>
        {
            if (value is { } number)
            {
                w.WriteNumberValue(number);
            }
            else
            {
                w.WriteNullValue();
            }
        };
        return this;
    }

    internal SortedJsonObject Add(string key, bool value)
    {
        _members[key] = w => w.WriteBooleanValue(value);
        return this;
    }

    /// <summary>Adds a Python float (Unix seconds), written as Python's <c>repr</c> writes it.</summary>
    internal SortedJsonObject AddFloat(string key, double value)
    {
        _members[key] = w => w.WriteRawValue(PythonJson.Float(value));
        return this;
    }

    /// <summary>Adds a value read from a registry file, its nested keys sorted too.</summary>
    internal SortedJsonObject Add(string key, JsonElement value)
    {
        _members[key] = w => PythonJson.WriteSorted(w, value);
        return this;
    }

    /// <summary>Adds a nested object, or JSON null.</summary>
    internal SortedJsonObject Add(string key, SortedJsonObject? value)
    {
        _members[key] = value is null ? w => w.WriteNullValue() : value.WriteTo;
        return this;
    }

    internal SortedJsonObject Add(string key, IEnumerable<SortedJsonObject> values)
    {
        var items = values.ToList();
        _members[key] = w =>
        {
            w.WriteStartArray();
            foreach (var item in items)
            {
                item.WriteTo(w);
            }

            w.WriteEndArray();
        };
        return this;
    }

    internal SortedJsonObject Add(string key, IEnumerable<string> values)
    {
        var items = values.ToList();
        _members[key] = w =>
        {
            w.WriteStartArray();
            foreach (var item in items)
            {
                w.WriteStringValue(item);
            }

            w.WriteEndArray();
        };
        return this;
    }

    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var (key, writeValue) in _members)
        {
            writer.WritePropertyName(key);
            writeValue(writer);
        }

        writer.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
