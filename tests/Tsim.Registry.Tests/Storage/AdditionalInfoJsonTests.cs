using System.Collections;
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

    /// <summary>The forms a caller may nest additional information in (see <see cref="Info"/>).</summary>
    public static TheoryData<string> Forms => new() { "dictionaries", "hashtables", "lists", "JsonElement", "JsonNode" };

    [Theory]
    [MemberData(nameof(Forms))]
    public void ToElements_NestedExactlyAtTheLimit_IsAccepted(string form)
    {
        var elements = AdditionalInfoJson.ToElements(Info(form, RegistryJsonDepth.AdditionalInfo), "additionalInfo")!;

        NestedJson.LevelsOf(elements["a"].GetRawText()).Should().Be(RegistryJsonDepth.AdditionalInfo - 1, "the dictionary itself is the first level");
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void ToElements_OneLevelPastTheLimit_ThrowsArgumentExceptionNamingTheLimit(string form)
    {
        var act = () => AdditionalInfoJson.ToElements(Info(form, RegistryJsonDepth.AdditionalInfo + 1), "additionalInfo");

        act.Should().Throw<ArgumentException>()
            .WithParameterName("additionalInfo")
            .WithMessage($"additionalInfo['a*'] nests deeper than {RegistryJsonDepth.AdditionalInfo} levels (additionalInfo itself is level 1)*");
    }

    [Fact]
    public void ToElements_FarTooDeepElement_ThrowsWithoutWalkingAllOfIt()
    {
        using var document = JsonDocument.Parse(NestedJson.Object(RegistryJsonDepth.Read), new JsonDocumentOptions { MaxDepth = RegistryJsonDepth.Read });

        var act = () => AdditionalInfoJson.ToElements(new Dictionary<string, object?> { ["a"] = document.RootElement }, "additionalInfo");

        act.Should().Throw<ArgumentException>().WithParameterName("additionalInfo").WithMessage("additionalInfo['a'] nests deeper than*");
    }

    [Fact]
    public void ToElements_DictionaryContainingItself_ThrowsArgumentExceptionInsteadOfOverflowingTheStack()
    {
        var info = new Dictionary<string, object?> { ["name"] = "x" };
        info["self"] = info;

        var act = () => AdditionalInfoJson.ToElements(info, "additionalInfo");

        act.Should().Throw<ArgumentException>()
            .WithParameterName("additionalInfo")
            .WithMessage("additionalInfo['self'] is a dictionary or list that contains itself (a cycle)*");
    }

    [Fact]
    public void ToElements_CycleThroughList_ThrowsArgumentExceptionInsteadOfOverflowingTheStack()
    {
        var inner = new Dictionary<string, object?>();
        var list = new List<object?> { 1, inner };
        inner["back"] = list;

        var act = () => AdditionalInfoJson.ToElements(new Dictionary<string, object?> { ["list"] = list }, "additionalInfo");

        act.Should().Throw<ArgumentException>()
            .WithParameterName("additionalInfo")
            .WithMessage("additionalInfo['list[1].back'] is a dictionary or list that contains itself (a cycle)*");
    }

    [Fact]
    public void ToElements_OneContainerTwiceSideBySide_IsNoCycle()
    {
        var shared = new List<object?> { 1, 2 };

        var elements = AdditionalInfoJson.ToElements(
            new Dictionary<string, object?> { ["a"] = shared, ["b"] = new Dictionary<string, object?> { ["c"] = shared } },
            "additionalInfo")!;

        elements["a"].GetRawText().Should().Be("[1,2]");
        elements["b"].GetRawText().Should().Be("{\"c\":[1,2]}");
    }

    /// <summary>Additional information <paramref name="levels"/> deep: <c>{"a": …}</c> with the rest in <paramref name="form"/>.</summary>
    private static Dictionary<string, object?> Info(string form, int levels)
    {
        var below = levels - 1; // The dictionary's own level.
        object? rest = form switch
        {
            "dictionaries" => NestedJson.Dictionary(below),
            "hashtables" => Hashtables(below),
            "lists" => Lists(below),
            "JsonElement" => JsonDocument.Parse(NestedJson.Object(below), new JsonDocumentOptions { MaxDepth = RegistryJsonDepth.Read }).RootElement,
            "JsonNode" => JsonNode.Parse(NestedJson.Object(below), documentOptions: new JsonDocumentOptions { MaxDepth = RegistryJsonDepth.Read }),
            _ => throw new ArgumentOutOfRangeException(nameof(form), form, null),
        };
        return new Dictionary<string, object?> { ["a"] = rest };
    }

    private static Hashtable Hashtables(int levels)
    {
        var inner = new Hashtable { ["leaf"] = 1 };
        for (var level = 1; level < levels; level++)
        {
            inner = new Hashtable { ["a"] = inner };
        }

        return inner;
    }

    private static List<object?> Lists(int levels)
    {
        var inner = new List<object?> { 1 };
        for (var level = 1; level < levels; level++)
        {
            inner = [inner];
        }

        return inner;
    }
}
