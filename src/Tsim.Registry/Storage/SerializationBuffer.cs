using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tsim.Registry.Storage;

/// <summary>
/// A growable buffer and JSON writer reused for every write of one registry file. Serialising into a fresh array
/// each time allocated the whole document (a large-object-heap array from about 85 KB on, i.e. a few hundred
/// hosts), and those arrays were what made the garbage collector show up in a registration's cost.
/// </summary>
/// <remarks>Not thread-safe: <see cref="RegistryIO"/> uses one per file, under a monitor.</remarks>
internal sealed class SerializationBuffer
{
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);

    /// <summary>Serialises <paramref name="value"/> and returns the bytes, valid until the next call.</summary>
    internal ReadOnlyMemory<byte> Serialize<T>(T value, JsonTypeInfo<T> typeInfo, Action<IBufferWriter<byte>, T, JavaScriptEncoder?>? writeTo = null)
    {
        _buffer.ResetWrittenCount();
        if (writeTo is not null && !typeInfo.Options.WriteIndented)
        {
            writeTo(_buffer, value, typeInfo.Options.Encoder);
            return _buffer.WrittenMemory;
        }

        // The same output as JsonSerializer.SerializeToUtf8Bytes with these options (compact or indented, the options'
        // encoder, and their depth, which also bounds the unknown fields copied through as JsonElements). The writer
        // itself is a small object; the buffer is what is worth keeping.
        using var writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions
        {
            Encoder = typeInfo.Options.Encoder,
            Indented = typeInfo.Options.WriteIndented,
            MaxDepth = typeInfo.Options.MaxDepth,
        });
        JsonSerializer.Serialize(writer, value, typeInfo);
        return _buffer.WrittenMemory;
    }
}
