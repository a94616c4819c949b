using CrossMargin.Actors;
using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Instruments;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// What one price actor hands the market publisher per turn. The publisher flushes a snapshot as soon as its mailbox
/// has nothing before the flush, so whatever a single update changes must reach it in one message: an index and the
/// held marks it pushes out of the band (or, for options, re-prices), sent apart, could be published as a market with the
/// new index and the old marks.
/// </summary>
public sealed class PriceActorTurnTests(ITestOutputHelper output) : PriceTestKit(output)
{
    [Fact]
    public void An_index_that_pushes_held_marks_out_of_the_band_reaches_the_publisher_in_one_message_with_their_replacements()
    {
        var publisher = CreateTestProbe("publisher");
        var definition = MarketDefinition.Of(Latest.Current, Assets);
        var instruments = definition.Instruments.Where(i => i.Underlying == "BTC").ToArray();
        var market = definition.Underlyings.Single(u => u.Name == "BTC");
        var btc = Sys.ActorOf(
            Props.Create(() => new PriceActor("BTC", instruments, market, Latest, new PriceOptions(), publisher.Ref, new PriceCounters(), Clock)), "price-BTC");

        LetNextIndexThrough(btc, "BTC");
        Index(btc, "BTC", 42_000m);

        var turn = publisher.ExpectMsg<object>();
        publisher.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        var accepted = Assert.IsType<PricesAccepted>(turn);
        Assert.Equal([42_000m], accepted.Indices);
        // Perpetuals at the index, the March future at the forward 42,000 x 1.005 (its quoted basis); every option,
        // re-priced at the new forward (HeldOptionMarkTests has their prices), in the same message with the vol it carries.
        var options = instruments.OfType<OptionContract>().Select(o => o.Symbol).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(
            [("BTC-PERPETUAL", 42_000m), ("BTCUSDC", 42_000m), ("BTCUSDT", 42_000m), ("BTCUSDT-260327", 42_210m)],
            accepted.Marks.Where(m => !options.Contains(m.Symbol)).Select(m => (m.Symbol, m.MarkPrice)));
        Assert.Equal(
            options.Order(StringComparer.Ordinal).Select(o => (o, Latest.Current.MarkOf(o).ImpliedVolatility)),
            accepted.Marks.Where(m => options.Contains(m.Symbol)).Select(m => (m.Symbol, m.ImpliedVolatility)));
    }
}
