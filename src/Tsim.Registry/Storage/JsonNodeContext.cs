using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Tsim.Registry.Storage;

/// <summary>Source-generated metadata for <see cref="JsonNode"/>, used to turn caller values into JSON without reflection.</summary>
/// <remarks>The registry's read depth, like every other parse and write of registry JSON (<see cref="RegistryJsonDepth"/>).</remarks>
[JsonSourceGenerationOptions(MaxDepth = RegistryJsonDepth.Read)]
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class JsonNodeContext : JsonSerializerContext;
