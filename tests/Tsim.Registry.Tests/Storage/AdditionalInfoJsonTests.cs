using System.Text.Json;
using System.Text.Json.Nodes;
using Tsim.Registry.Storage;

namespace Tsim.Registry.Tests.Storage;

public sealed class AdditionalInfoJsonTests
{
    [Fact]
    public void ToElements_NullOrEmpty_ReturnsNull()
    {
        AdditionalInfoJson.ToElements(null, "additionalInfo").Should().BeNull();
        AdditionalInfoJson.ToElements(new Dictionary<string, object?>(), "additionalInfo").Should().BeNull();
    }

    [Fact]
    public void ToElements_SupportedValues_BecomeTheirJsonForms()
    {
        var info = new Dictionary<string, object?>
        {
            ["namespace"] = "ns1",
            ["count"] = 3,
            ["big"] = 5_000_000_000L,
            ["ratio"] = 0.5,
            ["enabled"] = true,
            ["nothing"] = null,
            ["secondary_ips"] = new[] { "10.1.0.1/24" },
            ["nested"] = new Dictionary<string, object?> { ["a"] = new List<object?> { 1, "b" } },
            ["element"] = JsonDocument.Parse("{\"x\":1}").RootElement,
            ["node"] = new JsonObject { ["y"] = 2 },
        };

        var elements = AdditionalInfoJson.ToElements(info, "additionalInfo")!;

        var json = JsonSerializer.Serialize(elements);
        JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse("""
            {"namespace":"ns1","count":3,"big":5000000000,"ratio":0.5,"enabled":true,"nothing":null,
             "secondary_ips":["10.1.0.1/24"],"nested":{"a":[1,"b"]},"element":{"x":1},"node":{"y":2}}
            """)).Should().BeTrue(json);
    }

    [Theory]
    [InlineData("primary_ip")]
    [InlineData("connected_to")]
    [InlineData("mac_address")]
    [InlineData("created_at")]
    [InlineData("registered_at_timestamp")]
    public void ToElements_ReservedKey_Throws(string key)
    {
        var act = () => AdditionalInfoJson.ToElements(new Dictionary<string, object?> { [key] = "x" }, "additionalInfo");

        act.Should().Throw<ArgumentException>()
            .WithParameterName("additionalInfo")
            .WithMessage($"additionalInfo must not contain the key '{key}'*");
    }

    [Fact]
    public void ToElements_EmptyKey_Throws()
    {
        var act = () => AdditionalInfoJson.ToElements(new Dictionary<string, object?> { [string.Empty] = 1 }, "additionalInfo");

        act.Should().Throw<ArgumentException>().WithParameterName("additionalInfo").WithMessage("additionalInfo must not contain an empty key*");
    }

    [Fact]
    public void ToElements_UnsupportedType_ThrowsNamingPath()
    {
        var act = () => AdditionalInfoJson.ToElements(
            new Dictionary<string, object?> { ["outer"] = new Dictionary<string, object?> { ["when"] = DateTime.UnixEpoch } },
            "additionalInfo");

        act.Should().Throw<ArgumentException>()
            .WithParameterName("additionalInfo")
            .WithMessage("additionalInfo['outer.when'] has a value of type DateTime*");
    }

    [Fact]
    public void ToElements_NonFiniteDouble_Throws()
    {
        var act = () => AdditionalInfoJson.ToElements(new Dictionary<string, object?> { ["x"] = double.NaN }, "additionalInfo");

        act.Should().Throw<ArgumentException>().WithParameterName("additionalInfo");
    }
}
