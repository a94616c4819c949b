using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

public sealed class MarketPublisherTests(ITestOutputHelper output) : PriceTestKit(output)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Accepted_mark_updates_the_latest_market_and_announces_only_its_underlying()
    {
        var feed = StartFeed();
        var changes = Changes();

        Mark(feed, TestMarket.EthUsdt, 3100m);

        var changed = changes.ExpectMsg<MarketChanged>();
        Assert.Equal(["ETH"], changed.Underlyings);
        Assert.Equal(2, changed.Version);
        Assert.Same(changed.Market, Latest.Current);
        Assert.Equal(2, Latest.Version);
        Assert.Equal(3100m, Latest.Current.MarkOf(TestMarket.EthUsdt).MarkPrice);
        Assert.Equal(60000m, Latest.Current.MarkOf(TestMarket.BtcUsdt).MarkPrice);
        Assert.Equal(Now, Latest.Current.ValuationTime);
        var stats = Stats(feed);
        Assert.Equal((1L, 1L, 0L), (stats.Accepted, stats.SnapshotsPublished, stats.TotalRejected));
    }

    [Fact]
    public void Stablecoin_index_moves_only_that_asset()
    {
        var feed = StartFeed();
        var changes = Changes();

        Index(feed, "USDT", 0.9991m);

        var changed = changes.ExpectMsg<MarketChanged>();
        Assert.Equal(["USDT"], changed.Underlyings);
        Assert.Equal(0.9991m, Latest.Current.PriceOf("USDT"));
        Assert.Equal(1m, Latest.Current.PriceOf("USDC"));
    }

    [Fact]
    public void Tick_over_two_underlyings_announces_both_and_nothing_else()
    {
        var feed = StartFeed();
        var changes = Changes();

        feed.Tell(new UpdatePrices([new UpdateIndex("BTC", 60500m, Now)], [new UpdateMark(TestMarket.EthUsdt, 3050m, null, Now)]), TestActor);

        // The two price actors publish independently: one snapshot or two, but together exactly BTC and ETH, once each.
        var moved = new List<string>();
        while (!(moved.Contains("BTC") && moved.Contains("ETH")))
        {
            moved.AddRange(changes.ExpectMsg<MarketChanged>().Underlyings);
        }

        Assert.Equal(["BTC", "ETH"], moved.Order(StringComparer.Ordinal));
        changes.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Burst_of_marks_is_conflated_into_one_snapshot_where_the_last_value_wins()
    {
        const int burst = 50;
        var feed = StartFeed(new PriceOptions { MinSnapshotInterval = TimeSpan.FromSeconds(1) });
        var changes = Changes();
        var start = Now;
        Mark(feed, TestMarket.BtcUsdt, 60000.5m, at: start - TimeSpan.FromSeconds(1));
        changes.ExpectMsg<MarketChanged>();

        for (var i = 1; i <= burst; i++)
        {
            Mark(feed, TestMarket.BtcUsdt, 60000m + i, at: start + TimeSpan.FromMilliseconds(i));
        }

        // Within the interval every update only replaces the pending value.
        AwaitAssert(() => Assert.Equal(burst - 1, Stats(feed).Conflated));
        changes.ExpectNoMsg(Quiet);

        Clock.Advance(TimeSpan.FromSeconds(1));
        var changed = changes.ExpectMsg<MarketChanged>();
        Assert.Equal(60000m + burst, changed.Market.MarkOf(TestMarket.BtcUsdt).MarkPrice);
        Assert.Equal(["BTC"], changed.Underlyings);
        Assert.Equal(3, changed.Version);
        changes.ExpectNoMsg(Quiet);
        var stats = Stats(feed);
        Assert.Equal((burst + 1L, 2L, burst - 1L), (stats.Accepted, stats.SnapshotsPublished, stats.Conflated));
    }

    [Fact]
    public void Every_update_of_a_burst_is_either_published_or_conflated_into_a_later_snapshot()
    {
        const int burst = 200;
        var feed = StartFeed();
        var start = Now - TimeSpan.FromSeconds(1);
        var marks = Enumerable.Range(1, burst).Select(i => new UpdateMark(TestMarket.BtcUsdt, 60000m + i, null, start + TimeSpan.FromMilliseconds(i))).ToArray();

        feed.Tell(new UpdatePrices([], marks), TestActor);

        // Without a minimum interval, how many snapshots a burst takes depends on the machine; this much does not.
        AwaitAssert(() =>
        {
            var stats = Stats(feed);
            Assert.Equal(burst, stats.Accepted);
            Assert.Equal(burst, stats.SnapshotsPublished + stats.Conflated);
        });
        Assert.Equal(60000m + burst, Latest.Current.MarkOf(TestMarket.BtcUsdt).MarkPrice);
        Assert.Equal(Stats(feed).SnapshotsPublished + 1, Latest.Version);
    }

    [Fact]
    public void Scenario_vectors_are_built_once_per_snapshot_before_it_is_announced()
    {
        var feed = StartFeed();
        var changes = Changes();
        var initial = Latest.Current;

        Index(feed, "BTC", 60100m);
        var first = changes.ExpectMsg<MarketChanged>().Market;
        Index(feed, "BTC", 60200m);
        var second = changes.ExpectMsg<MarketChanged>().Market;

        Assert.False(Model.HasVectorsFor(initial));
        Assert.True(Model.HasVectorsFor(first));
        Assert.True(Model.HasVectorsFor(second));
        Assert.Same(Model.VectorsFor(first), Model.VectorsFor(first));
        Assert.NotSame(Model.VectorsFor(first), Model.VectorsFor(second));
    }

    [Fact]
    public void Opening_option_marks_without_a_vol_keep_the_vol_they_opened_at_when_the_index_moves()
    {
        // An opening market may give option marks without a vol (the snapshot implies it). Kept as a bare price, the
        // publisher re-implied it against every new forward: after a 30% fall the 55,000 put's opening premium (about
        // 1,500) is below its intrinsic 12,790 at the forward 42,210, no vol reproduces it and no snapshot is built
        // until that option ticks again, while accounts keep margining at the pre-crash market.
        var opening = TestMarket.Build();
        var bare = new MarketSnapshot(opening.ValuationTime, opening.Instruments, opening.AssetPrices, opening.UnderlyingMarkets,
            opening.Instruments.Select(i => opening.MarkOf(i.Symbol) with { ImpliedVolatility = null }));
        var put = TestMarket.LinearOption(OptionKind.Put, 55000);
        var openingVol = bare.OptionInputsOf(put).Volatility;
        Assert.Equal(TestMarket.VolAt(55000), openingVol, 3);
        var feed = StartFeed(new LatestMarket(bare));
        var changes = Changes();

        LetNextIndexThrough(feed, "BTC");
        Index(feed, "BTC", 42_000m);

        var market = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Equal(42_210, market.OptionInputsOf(put).Forward, 1e-6);
        Assert.Equal(openingVol, market.OptionInputsOf(put).Volatility, 12);
        Assert.Equal(0, Stats(feed).SnapshotFailures);
    }

    /// <summary>
    /// BTC's perpetuals and March future open at 60,000 (BTCUSDT, BTCUSDC), 60,030 (inverse perp) and 60,300 (the forward
    /// at basis 1.005). An index of 57,000 keeps them: each is within 10% (5,700) of it. An index of 50,000 leaves every
    /// one more than 5,000 away, a mark the band would refuse now: BTCUSDT ticks in the same batch (50,010, kept), the
    /// other three fall back to the index (50,000) or, for the future, its forward at the index (50,000 x 1.005 =
    /// 50,250), counted as replaced; ETH's mark is not touched.
    /// </summary>
    [Fact]
    public void Held_marks_an_index_move_leaves_outside_the_band_fall_back_to_the_index_or_its_forward_and_are_counted()
    {
        var feed = StartFeed();
        var changes = Changes();

        Index(feed, "BTC", 57_000m);
        var kept = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Equal((60_000m, 60_030m, 60_300m), (kept.MarkOf(TestMarket.BtcUsdt).MarkPrice, kept.MarkOf(TestMarket.BtcInversePerp).MarkPrice,
            kept.MarkOf(TestMarket.BtcMarchFuture).MarkPrice));

        Clock.Advance(TimeSpan.FromSeconds(1));
        LetNextIndexThrough(feed, "BTC");
        feed.Tell(new UpdatePrices([new UpdateIndex("BTC", 50_000m, Now)], [new UpdateMark(TestMarket.BtcUsdt, 50_010m, null, Now)]), TestActor);

        var market = changes.FishForMessage<MarketChanged>(m => m.Market.PriceOf("BTC") == 50_000m
                                                                && m.Market.MarkOf(TestMarket.BtcUsdt).MarkPrice == 50_010m).Market;
        Assert.Equal(50_000m, market.MarkOf(TestMarket.BtcUsdc).MarkPrice);
        Assert.Equal(50_000m, market.MarkOf(TestMarket.BtcInversePerp).MarkPrice);
        Assert.Equal(50_250.00m, market.MarkOf(TestMarket.BtcMarchFuture).MarkPrice);
        Assert.Equal(3_000m, market.MarkOf(TestMarket.EthUsdt).MarkPrice);
        Assert.Equal((3L, 0L), (Stats(feed).HeldMarksReplaced, Stats(feed).TotalRejected));
    }

    /// <summary>
    /// A feed started while the feed is down: BTC and ETH, the underlyings of listed instruments, get no index for 31 s,
    /// past the 30 s bound, and are silent, counted from the feed's start. USDT, USDC and USD underlie nothing (a feed may
    /// never send them) and are not. A BTC index ends BTC's silence only.
    /// </summary>
    [Fact]
    public void An_underlying_never_priced_since_the_feed_started_is_silent_past_the_bound_and_an_asset_nothing_needs_is_not()
    {
        var feed = StartFeed();
        Stats(feed); // started
        var bound = new PriceOptions().SilentAfter;

        Clock.Advance(bound);
        Assert.False(Latest.IsSilent("BTC", Now, bound)); // 30 s is not past 30 s
        Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([true, true, false, false, false], Assets.Select(a => Latest.IsSilent(a, Now, bound)));
        Index(feed, "BTC", 60_000m);
        ExpectMsg<PriceAccepted>();
        Assert.Equal([false, true, false, false, false], Assets.Select(a => Latest.IsSilent(a, Now, bound)));
    }
}
