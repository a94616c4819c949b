using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// The expired instruments a snapshot keeps (so journals and holdings naming them resolve) grow by a dozen or more
/// contracts a month under the venue's listing schedules: built again for every snapshot they cost a 2030 node about
/// 3.5 ms and 175 KB per index move (benchmark 'market'). They change only when something expires, so the publisher
/// builds them then and every snapshot until the next expiry shares them.
/// </summary>
public sealed class ExpiredSetSharingTests(ITestOutputHelper output) : PriceTestKit(output)
{
    [Fact]
    public void Snapshots_share_one_expired_set_until_a_contract_expires_and_then_the_next_one()
    {
        var old = new Future("BTCUSDT-OLD", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m, Now - TimeSpan.FromDays(1));
        var definition = MarketDefinition.Of(Latest.Current, Assets) with { Expired = [old] };
        var feed = Sys.ActorOf(PriceFeed.Props(definition, Latest, [Model], new PriceOptions()), "prices");
        var changes = Changes();

        Index(feed, "BTC", 60_100m);
        var first = changes.ExpectMsg<MarketChanged>().Market;
        Index(feed, "BTC", 60_200m);
        var second = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Same(old, second.FindExpired(old.Symbol));
        Assert.Same(first.ExpiredInstruments, second.ExpiredInstruments);

        Clock.Advance(TestMarket.March - Now);
        var expired = changes.FishForMessage<MarketChanged>(m => m.Market.FindExpired(TestMarket.BtcMarchFuture) is not null).Market;
        Assert.NotSame(second.ExpiredInstruments, expired.ExpiredInstruments);
        Assert.Same(old, expired.FindExpired(old.Symbol));
        Assert.Equal(TestMarket.Instruments.Where(i => i.Expiry is not null).Select(i => i.Symbol).Append(old.Symbol).Order(StringComparer.Ordinal),
            expired.ExpiredInstruments.Select(i => i.Symbol).Order(StringComparer.Ordinal));

        Index(feed, "BTC", 60_300m);
        var after = changes.FishForMessage<MarketChanged>(m => m.Market.PriceOf("BTC") == 60_300m).Market;
        Assert.Same(expired.ExpiredInstruments, after.ExpiredInstruments);
    }
}
