using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// The feed wakes when half its listing horizon (a year and a half) is left; a system timer cannot wait that long
/// (TimeProvider.System refuses more than about 49 days), so the feed must wait in steps it can take and still start.
/// </summary>
public sealed class ListingOnTheSystemClockTests(ITestOutputHelper output) : Actors.TestKit.TestKit(output)
{
    [Fact]
    public void A_feed_with_listing_schedules_starts_and_prices_on_the_system_clock()
    {
        var latest = new LatestMarket(TestMarket.Build());
        var now = Sys.TimeProvider.GetUtcNow();
        var schedule = new ListingSchedule("BTC", "USDT", SettlementKind.Linear, 0.001m, 0.1m, ListingCycle.Quarterly, 1, now, null);
        var definition = MarketDefinition.Of(latest.Current, PriceTestKit.Assets) with { Listing = [schedule], ListedUntil = now + MarketDefinition.ListingHorizon };
        var feed = Sys.ActorOf(PriceFeed.Props(definition, latest, [], new PriceOptions()), "prices");

        feed.Tell(new UpdateIndex("BTC", 60_100m, Sys.TimeProvider.GetUtcNow()), TestActor);

        Assert.Equal(new PriceAccepted("BTC"), ExpectMsg<PriceAccepted>());
    }
}
