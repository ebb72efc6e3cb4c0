using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Tsim.Registry.Storage;

/// <summary>Source-generated metadata for <see cref="JsonNode"/>, used to turn caller values into JSON without reflection.</summary>
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class JsonNodeContext : JsonSerializerContext;
