using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
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

        AwaitIdle(); // as below: the market publisher's listing timer armed before the clock moves
        Clock.Advance(TimeSpan.FromMinutes(1));
        var listed = changes.FishForMessage<MarketChanged>(m => m.Market.FindInstrument(Listed) is not null);
        Assert.Equal(60_300.00m, listed.Market.MarkOf(Listed).MarkPrice);
        Assert.Contains("BTC", listed.Underlyings);

        Mark(feed, Listed, 60_100m);
        var marked = changes.FishForMessage<MarketChanged>(m => m.Market.MarkOf(Listed).MarkPrice == 60_100m);
        Assert.Equal(future, marked.Market.GetInstrument(Listed));
    }

    /// <summary>
    /// A scheduled future and a scheduled 50,000 put (opening vol 80%) are listed at 00:01 at their opening marks on the
    /// index 60,000 (forward 60,300), and the feed does not mark them. BTC then falls to 42,000 (forward 42,210): the
    /// future, which no price actor held, stayed at 60,300, 43.6% off the index; the put at its pre-crash premium. Each is
    /// marked again at its opening rule on the new index: the future at 42,210.00, the put at Black-76 (42,210, 50,000,
    /// 80%) over the 85 days 7 hours 59 minutes (ACT/365) left to the March expiry, to the 0.01 tick.
    /// </summary>
    [Fact]
    public void Scheduled_contracts_listed_at_their_opening_marks_follow_an_index_move_until_the_feed_marks_them()
    {
        var future = new Future(Listed, "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m, TestMarket.March);
        var put = new OptionContract("BTC-260327-50000-P-LISTED", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m, TestMarket.March, OptionKind.Put, 50_000m);
        var listedAt = Now + TimeSpan.FromMinutes(1);
        var definition = MarketDefinition.Of(Latest.Current, Assets).WithScheduled([new ListedContract(future, listedAt, null), new ListedContract(put, listedAt, 0.8)]);
        var feed = Sys.ActorOf(PriceFeed.Props(definition, Latest, [Model], new PriceOptions()), "prices");
        var changes = Changes();
        // Every actor of the feed started (the market publisher, a child, arms its listing timer in PreStart) before the
        // clock moves: an answer from the feed alone left the publisher unstarted in one run of three, and its timer was
        // then armed a minute after the listing time, on a clock that does not move again.
        AwaitIdle();
        Clock.Advance(TimeSpan.FromMinutes(1));
        var listed = changes.FishForMessage<MarketChanged>(m => m.Market.FindInstrument(Listed) is not null).Market;
        Assert.Equal(60_300.00m, listed.MarkOf(Listed).MarkPrice);

        LetNextIndexThrough(feed, "BTC");
        Index(feed, "BTC", 42_000m);

        var moved = changes.FishForMessage<MarketChanged>(m => m.Market.PriceOf("BTC") == 42_000m).Market;
        var years = (TestMarket.March - Now).TotalDays / 365;
        var premium = Math.Round((decimal)ReferenceBlack76.Price(OptionKind.Put, 42_210, 50_000, years, 0.8, 0), 2, MidpointRounding.AwayFromZero);
        Assert.Equal((42_210.00m, premium, 0.8), (moved.MarkOf(Listed).MarkPrice, moved.MarkOf(put.Symbol).MarkPrice, moved.MarkOf(put.Symbol).ImpliedVolatility));
    }
}
