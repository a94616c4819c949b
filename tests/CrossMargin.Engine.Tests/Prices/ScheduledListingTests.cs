using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// A contract of the venue's listing schedule that is due after the feed started: refused before its time, listed at
/// its time without a tick, at its opening mark (for a future the forward at the index: 60,000 x 1.005 = 60,300.00 for
/// the March expiry, where <see cref="TestMarket"/> quotes its forward), then marked by the feed as any other.
/// </summary>
public sealed class ScheduledListingTests(ITestOutputHelper output) : PriceTestKit(output)
{
    private const string Listed = "BTCUSDT-LISTED";

    [Fact]
    public void A_scheduled_future_is_refused_before_its_listing_time_then_listed_at_its_forward_and_marked_by_the_feed()
    {
        var future = new Future(Listed, "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m, TestMarket.March);
        var listedAt = Now + TimeSpan.FromMinutes(1);
        var definition = MarketDefinition.Of(Latest.Current, Assets).WithScheduled([new ListedContract(future, listedAt, null)]);
        var feed = Sys.ActorOf(PriceFeed.Props(definition, Latest, [Model], new PriceOptions()), "prices");
        var changes = Changes();

        Mark(feed, Listed, 60_100m);
        var refused = ExpectRejected(feed, Listed, PriceRejectionReason.UnknownInstrument);
        Assert.Contains("not listed until", refused.Message, StringComparison.Ordinal);
        Assert.Null(Latest.Current.FindInstrument(Listed));

        Clock.Advance(TimeSpan.FromMinutes(1));
        var listed = changes.FishForMessage<MarketChanged>(m => m.Market.FindInstrument(Listed) is not null);
        Assert.Equal(60_300.00m, listed.Market.MarkOf(Listed).MarkPrice);
        Assert.Contains("BTC", listed.Underlyings);

        Mark(feed, Listed, 60_100m);
        var marked = changes.FishForMessage<MarketChanged>(m => m.Market.MarkOf(Listed).MarkPrice == 60_100m);
        Assert.Equal(future, marked.Market.GetInstrument(Listed));
    }
}
