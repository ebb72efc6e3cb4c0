using System.Text;
using Tsim.Registry.Storage;

namespace Tsim.Registry.Tests.Storage;

/// <summary>What counts as JSON for repair: anything Python's <c>json.load</c> parses, at any depth (Deviations, 10).</summary>
public sealed class JsonSyntaxTests
{
    [Theory]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("\"\\ud800\"")] // A lone surrogate escape: Python reads it.
    [InlineData("{\"web-1\": null}")]
    [InlineData("\n  {\"web-1\": {\"primary_ip\": 5}}\n")]
    public void IsWellFormed_JsonOfAnyShape_IsTrue(string json) =>
        JsonSyntax.IsWellFormed(Encoding.UTF8.GetBytes(json)).Should().BeTrue();

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    [InlineData("{\"web-1\": ")]
    [InlineData("{\"a\": 1,}")]
    [InlineData("{} {}")]
    [InlineData("// comment\n{}")]
    [InlineData("{\"a\": NaN}")]
    public void IsWellFormed_NotJson_IsFalse(string text) =>
        JsonSyntax.IsWellFormed(Encoding.UTF8.GetBytes(text)).Should().BeFalse();

    [Fact]
    public void IsWellFormed_InvalidUtf8InAString_IsFalse()
    {
        // Python decodes the file before parsing it and fails; the JSON reader alone would let it through.
        byte[] bytes = [.. "{\"a\": \""u8, 0xFF, .. "\"}"u8];

        JsonSyntax.IsWellFormed(bytes).Should().BeFalse();
    }

    [Fact]
    public void IsWellFormed_ByteOrderMark_IsFalse() =>
        JsonSyntax.IsWellFormed([0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}']).Should().BeFalse("Python's json.loads refuses a BOM too");

    [Fact]
    public void IsWellFormed_NestedFarPastTheReadDepth_IsTrue() =>
        JsonSyntax.IsWellFormed(Encoding.UTF8.GetBytes(NestedJson.Object(100_000))).Should().BeTrue("too deep to use is still JSON, never moved aside");
}
