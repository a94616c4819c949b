using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// A feed that stops leaves its last price in force; the engine must at least say how old each asset's price is, so an
/// operator (or a monitor on <c>/api/v1/prices/stats</c>) sees the silence.
/// </summary>
public sealed class SilentFeedTests(ITestOutputHelper output) : ManualClockEngineTestKit(output)
{
    [Fact]
    public async Task Price_stats_show_when_each_asset_last_had_an_index_accepted_so_a_silent_feed_shows_its_age()
    {
        var ticked = Time!.GetUtcNow();
        MoveBtc(61_000m, TestMarket.BtcUsdt);

        Time.Advance(TimeSpan.FromHours(1));
        var stats = await Engine.GetPriceStatsAsync().WaitAsync(Answer);

        // BTC ticked an hour ago and not since; ETH never ticked on this engine.
        Assert.Equal(ticked, stats.IndexTimes["BTC"]);
        Assert.False(stats.IndexTimes.ContainsKey("ETH"));
        Assert.Equal(["BTC"], stats.SilentFor(Time.GetUtcNow(), TimeSpan.FromMinutes(59)));
    }

    /// <summary>
    /// The whole engine, as a node runs it (the cluster's singleton is started by the same code, on the node's market,
    /// which gets every price over the fanout exchange): marks keep coming but the BTC index stopped 31 s ago, past the
    /// default 30 s. The mark that takes the account under its maintenance margin starts a liquidation that sends no
    /// order until a BTC index is accepted; then the first step goes out.
    /// </summary>
    [Fact]
    public async Task A_liquidation_on_an_underlying_whose_index_stopped_waits_for_the_next_accepted_index()
    {
        var venue = await LongBtcWatchedByTheVenue();
        MoveBtc(60_000m, TestMarket.BtcUsdt);
        Time!.Advance(TimeSpan.FromSeconds(31));

        var probe = CreateTestProbe();
        // ETH's index keeps coming (otherwise it too is silent, never priced since the engine started): BTC's stopped.
        Engine.Prices.Tell(new UpdateIndex("ETH", 3_000m, Time.GetUtcNow()), probe.Ref);
        probe.ExpectMsg<PriceAccepted>();
        BreachWithABtcUsdtMark(probe);
        Assert.Equal(["BTC"], Engine.SilentAssets());
        venue.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        MoveBtc(59_230m, TestMarket.BtcUsdt);

        Assert.Empty(Engine.SilentAssets());
        var order = venue.ExpectMsg<LiquidationOrderIssued>();
        Assert.Equal(("acc-1", TestMarket.BtcUsdt, OrderSide.Sell), (order.AccountId, order.Symbol, order.Side));
    }

    /// <summary>
    /// An engine (a node, or the node the singleton moves to) started while the feed is down: no BTC index has been
    /// accepted since, so BTC's silence counts from the start. 31 s later a mark takes the 1 BTC long under its
    /// maintenance margin: the liquidation waits, as for an index that stopped, and the engine names BTC and ETH (never
    /// priced either) as silent; the stablecoins, which nothing listed has as underlying, are not. The first BTC index
    /// lets the order go and ends BTC's silence.
    /// </summary>
    [Fact]
    public async Task A_liquidation_on_an_underlying_never_priced_since_the_engine_started_waits_for_its_first_index()
    {
        var venue = await LongBtcWatchedByTheVenue();
        Time!.Advance(TimeSpan.FromSeconds(31));

        var probe = CreateTestProbe();
        BreachWithABtcUsdtMark(probe);
        Assert.Equal(["BTC", "ETH"], Engine.SilentAssets());
        Assert.Equal(TimeSpan.FromSeconds(31), Engine.IndexAges()["BTC"]);
        venue.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        MoveBtc(59_230m, TestMarket.BtcUsdt);

        Assert.Equal(["ETH"], Engine.SilentAssets());
        var order = venue.ExpectMsg<LiquidationOrderIssued>();
        Assert.Equal(("acc-1", TestMarket.BtcUsdt, OrderSide.Sell), (order.AccountId, order.Symbol, order.Side));
    }

    /// <summary>Account acc-1: 1,000 USDT and a long of 1 BTCUSDT at 60,000; returns a probe of the liquidation orders issued.</summary>
    private async Task<TestProbe> LongBtcWatchedByTheVenue()
    {
        var venue = CreateTestProbe();
        Sys.EventStream.Subscribe(venue.Ref, typeof(LiquidationOrderIssued));
        await Send("acc-1", "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, MarginMode.StandardCross));
        await Send("acc-1", "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 1_000m));
        await Trade("acc-1", TestMarket.BtcUsdt, OrderSide.Buy, 1m, 60_000m);
        return venue;
    }

    /// <summary>A BTCUSDT mark of 59,230 (no index): acc-1's long falls under its maintenance margin and a liquidation starts.</summary>
    private void BreachWithABtcUsdtMark(TestProbe probe)
    {
        Engine.Prices.Tell(new UpdateMark(TestMarket.BtcUsdt, 59_230m, null, Time!.GetUtcNow()), probe.Ref);
        probe.ExpectMsg<PriceAccepted>();
        AwaitAssert(() => Assert.Single(Engine.GetLiquidationsAsync().WaitAsync(Answer).GetAwaiter().GetResult().Liquidations), Wait);
    }
}
