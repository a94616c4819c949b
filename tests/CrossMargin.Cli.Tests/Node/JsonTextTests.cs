using System.Text.Json;
using CrossMargin.Cli.Node;

namespace CrossMargin.Cli.Tests.Node;

public sealed class JsonTextTests
{
    [Theory]
    [InlineData("59786.630651314909998037036141", "59786.63065131")]
    [InlineData("60000", "60000")]
    [InlineData("60000.50", "60000.5")]
    [InlineData("0.00000001", "0.00000001")]
    [InlineData("0.000000005", "0")]
    public void An_averaged_entry_price_is_shown_to_the_ledgers_unit_not_to_28_digits(string raw, string shown)
    {
        using var json = JsonDocument.Parse($$"""{"entryPrice":{{raw}}}""");

        Assert.Equal(shown, JsonText.Price(json.RootElement, "entryPrice"));
    }

    [Fact]
    public void A_missing_price_is_an_empty_cell()
    {
        using var json = JsonDocument.Parse("""{"symbol":"BTC-PERP"}""");

        Assert.Equal("", JsonText.Price(json.RootElement, "entryPrice"));
    }
}
