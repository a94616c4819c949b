using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Serialization;

namespace CrossMargin.Simulator.Tests;

/// <summary>The contracts the simulated books open in, as the default market's listing rolls past its expiries.</summary>
public sealed class VenueListingTests
{
    private static readonly MarketSnapshot Opening = MarketFile.Load(Path.Combine(AppContext.BaseDirectory, "venue-market.json"));

    [Fact]
    public void At_the_opening_the_books_open_in_the_first_dated_future_and_the_options_nearest_their_moneyness()
    {
        var listing = new VenueListing(Opening);

        // BTC at 60,000: a put near 0.92 x 60,000 = 55,200 and a call near 1.08 x 60,000 = 64,800, both of 25 December.
        Assert.Equal("BTC-26MAR27", listing.DatedFuture("BTC")?.Symbol);
        Assert.Equal("BTC-25DEC26-55000-P", listing.Option("BTC", OptionKind.Put, 0.92m)?.Symbol);
        Assert.Equal("BTC-25DEC26-65000-C", listing.Option("BTC", OptionKind.Call, 1.08m)?.Symbol);
        Assert.Null(listing.DatedFuture("ETH"));
    }

    [Fact]
    public void A_contract_with_less_than_a_day_to_expiry_is_not_chosen()
    {
        var listing = new VenueListing(At(new DateTimeOffset(2026, 12, 24, 8, 0, 1, TimeSpan.Zero)));

        Assert.Null(listing.Option("BTC", OptionKind.Put, 0.92m));
        Assert.Null(listing.Option("BTC", OptionKind.Call, 1.08m));
        Assert.Equal("BTC-26MAR27", listing.DatedFuture("BTC")?.Symbol);
        Assert.Equal("BTC-25DEC26-55000-P", new VenueListing(At(new DateTimeOffset(2026, 12, 24, 8, 0, 0, TimeSpan.Zero))).Option("BTC", OptionKind.Put, 0.92m)?.Symbol);
    }

    [Fact]
    public void After_every_dated_contract_expired_the_books_open_in_perpetuals_only()
    {
        var after = At(new DateTimeOffset(2027, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var book = new BookGenerator(new SimulatorOptions { Traders = 60 }, after, new TradeFactory(after, () => after.ValuationTime));

        var symbols = book.Open().OfType<Contracts.Inbound.ExecutionMessage>().Select(e => e.Symbol!).Distinct().Order(StringComparer.Ordinal).ToArray();

        Assert.Null(new VenueListing(after).DatedFuture("BTC"));
        Assert.Equal(["BTC-PERP", "ETH-PERP"], symbols);
        Assert.All(book.Traders, t => Assert.True(t.Profile is TraderProfile.LeveragedLong or TraderProfile.LeveragedShort, $"{t.AccountId} is {t.Profile}"));
    }

    /// <summary>The opening market valued at <paramref name="now"/>, its contracts expired by then moved off the listing.</summary>
    private static MarketSnapshot At(DateTimeOffset now)
    {
        var live = Opening.Instruments.Where(i => !i.IsExpiredAt(now)).ToArray();
        var underlyings = live.Select(i => i.Underlying).Distinct(StringComparer.Ordinal).Select(Opening.UnderlyingOf);
        return new MarketSnapshot(now, live, Opening.AssetPrices, underlyings, live.Select(i => Opening.MarkOf(i.Symbol)),
            Opening.Instruments.Where(i => i.IsExpiredAt(now)));
    }
}
