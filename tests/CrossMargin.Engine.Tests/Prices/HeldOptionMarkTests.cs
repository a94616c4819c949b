using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// An option's held mark after its underlying's index moves. Equity values an option at its mark, the scenario models
/// re-price it from its vol on the forward at the index: left at its pre-crash price, a short put's holder kept the
/// pre-crash premium in equity until the feed marked the option again. Every expected mark here is Black-76 from
/// <see cref="ReferenceBlack76"/> (not the engine's pricer) on the forward the test works out: the opening quotes BTC
/// March at 60,300 on an index of 60,000 (basis 1.005), rate 0, and the clock starts 2026-01-01 00:00, 85 days and 8
/// hours (ACT/365) before the March expiry (2026-03-27 08:00).
/// </summary>
public sealed class HeldOptionMarkTests(ITestOutputHelper output) : PriceTestKit(output)
{
    private static readonly string Put = TestMarket.LinearOption(OptionKind.Put, 55_000);
    private static readonly string InversePut = TestMarket.InverseOption(OptionKind.Put, 55_000);

    private double Years => (TestMarket.March - Now).TotalDays / 365;

    [Fact]
    public void The_reference_black76_reproduces_hulls_worked_example_to_the_cent()
    {
        var (call, put) = ReferenceBlack76.HullExample();
        Assert.Equal((4.76m, 0.81m), (Math.Round((decimal)call, 2), Math.Round((decimal)put, 2)));
    }

    /// <summary>
    /// The 55,000 puts are held at the opening's marks, carrying the smile's 58%. A fall to 42,000 (forward 42,210) puts
    /// them deep in the money: the linear put is re-priced at Black-76 (put, 42,210, 55,000, 85d 8h, 58%), about 14,034
    /// USDT, to the 0.01 tick, and the inverse one at that over the forward, about 0.3325 BTC, to the 0.0001 tick; both
    /// keep their vol. Every one of the 30 options is re-priced (none was at the new forward and time), counted.
    /// </summary>
    [Fact]
    public void A_held_put_after_a_crash_is_marked_at_black76_on_the_new_forward_and_the_vol_it_was_held_at()
    {
        var feed = StartFeed();
        var changes = Changes();
        Assert.Equal(0.58, Latest.Current.MarkOf(Put).ImpliedVolatility);

        LetNextIndexThrough(feed, "BTC");
        Index(feed, "BTC", 42_000m);

        var market = changes.ExpectMsg<MarketChanged>().Market;
        var usd = ReferenceBlack76.Price(OptionKind.Put, 42_210, 55_000, Years, 0.58, 0);
        Assert.InRange(usd, 14_033, 14_035);
        Assert.Equal((Math.Round((decimal)usd, 2, MidpointRounding.AwayFromZero), 0.58), (market.MarkOf(Put).MarkPrice, market.MarkOf(Put).ImpliedVolatility));
        Assert.Equal((Math.Round((decimal)(usd / 42_210), 4, MidpointRounding.AwayFromZero), 0.58),
            (market.MarkOf(InversePut).MarkPrice, market.MarkOf(InversePut).ImpliedVolatility));
        // The scenario models' base value is the same Black-76 on the same inputs: equity and scenarios agree to the tick.
        Assert.Equal(42_210, market.OptionInputsOf(Put).Forward, 1e-6);
        Assert.Equal(0.58, market.OptionInputsOf(Put).Volatility);
        Assert.Equal((30L, 0L), (Stats(feed).HeldOptionMarksRepriced, Stats(feed).TotalRejected));
    }

    /// <summary>
    /// A fall to 24,000 (forward 24,120) leaves the inverse 70,000 call worth about 0.0000108 BTC at its 59%, less than
    /// half its 0.0001 tick: it is marked at one tick, as the simulator floors it, never at zero (a mark is positive).
    /// </summary>
    [Fact]
    public void A_held_option_worth_less_than_half_a_tick_after_a_crash_is_marked_at_one_tick()
    {
        var feed = StartFeed();
        var changes = Changes();
        var call = TestMarket.InverseOption(OptionKind.Call, 70_000);

        LetNextIndexThrough(feed, "BTC");
        Index(feed, "BTC", 24_000m);

        var coin = ReferenceBlack76.Price(OptionKind.Call, 24_120, 70_000, Years, 0.59, 0) / 24_120;
        Assert.InRange(coin, 0, 0.00005);
        Assert.Equal(0.0001m, changes.ExpectMsg<MarketChanged>().Market.MarkOf(call).MarkPrice);
    }

    /// <summary>
    /// An hour after the March expiry the options have left the listing; an index move re-prices none of them (the time
    /// left is negative: Black-76 would refuse it, and the price actor would throw instead of publishing the index).
    /// </summary>
    [Fact]
    public void Expired_options_are_left_alone_when_the_index_moves()
    {
        var feed = StartFeed();
        var changes = Changes();
        Clock.Advance(TestMarket.March - Now + TimeSpan.FromHours(1));

        LetNextIndexThrough(feed, "BTC");
        Index(feed, "BTC", 42_000m);

        var market = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Equal(42_000m, market.PriceOf("BTC"));
        Assert.Empty(market.Options);
        Assert.Equal((0L, 0L), (Stats(feed).HeldOptionMarksRepriced, Stats(feed).TotalRejected));
    }

    /// <summary>
    /// After the re-price at 42,000 the feed marks the linear put at Black-76 on 42,210 and 90% (given with it): that mark
    /// is taken as before. The next fall, to 40,000 (forward 40,200), re-prices it from the 90% it now carries.
    /// </summary>
    [Fact]
    public void A_feed_mark_after_the_reprice_wins_and_the_next_move_reprices_from_its_vol()
    {
        var feed = StartFeed();
        var changes = Changes();
        LetNextIndexThrough(feed, "BTC");
        Index(feed, "BTC", 42_000m);
        changes.ExpectMsg<MarketChanged>();

        Clock.Advance(TimeSpan.FromSeconds(1));
        var fresh = Math.Round((decimal)ReferenceBlack76.Price(OptionKind.Put, 42_210, 55_000, Years, 0.9, 0), 2, MidpointRounding.AwayFromZero);
        Mark(feed, Put, fresh, 0.9);
        var marked = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Equal((fresh, 0.9), (marked.MarkOf(Put).MarkPrice, marked.MarkOf(Put).ImpliedVolatility));

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 40_000m);
        var moved = changes.ExpectMsg<MarketChanged>().Market;
        var expected = Math.Round((decimal)ReferenceBlack76.Price(OptionKind.Put, 40_200, 55_000, Years, 0.9, 0), 2, MidpointRounding.AwayFromZero);
        Assert.Equal((expected, 0.9), (moved.MarkOf(Put).MarkPrice, moved.MarkOf(Put).ImpliedVolatility));
    }

    /// <summary>
    /// The re-priced mark is in <see cref="LatestMarket"/>, so a feed restarted on it (a node's price pipeline after a
    /// crash) carries on from it: an ETH tick publishes the put still at its re-priced mark, and a BTC index of 40,000
    /// re-prices it from the 58% it carries, on the forward 40,200.
    /// </summary>
    [Fact]
    public void A_repriced_mark_survives_a_restart_of_the_feed()
    {
        var feed = StartFeed();
        var changes = Changes();
        LetNextIndexThrough(feed, "BTC");
        Index(feed, "BTC", 42_000m);
        changes.ExpectMsg<MarketChanged>();
        var repriced = Math.Round((decimal)ReferenceBlack76.Price(OptionKind.Put, 42_210, 55_000, Years, 0.58, 0), 2, MidpointRounding.AwayFromZero);
        StopFeed(feed);
        Assert.Equal(repriced, Latest.Current.MarkOf(Put).MarkPrice);

        var restarted = StartFeed();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(restarted, "ETH", 3_010m);
        Assert.Equal(repriced, changes.ExpectMsg<MarketChanged>().Market.MarkOf(Put).MarkPrice);
        Index(restarted, "BTC", 40_000m);

        var expected = Math.Round((decimal)ReferenceBlack76.Price(OptionKind.Put, 40_200, 55_000, Years, 0.58, 0), 2, MidpointRounding.AwayFromZero);
        Assert.Equal((expected, 0.58), (changes.ExpectMsg<MarketChanged>().Market.MarkOf(Put).MarkPrice, Latest.Current.MarkOf(Put).ImpliedVolatility));
    }

    /// <summary>
    /// The feed marks the linear 55,000 put 20% above Black-76 at the 58% it gives with it (4,119.10 on the forward
    /// 60,300), 4,942.92, and the inverse one 20% above its 0.0683 BTC, 0.0820 BTC: within the 25% and a tick the price
    /// actor allows. The index then moves by one cent, 60,000 to 60,000.01 (forward 60,300.01005). At the vol each mark
    /// implies (about 65.9%, solved here by bisection on <see cref="ReferenceBlack76"/>) the put's delta is about -0.33,
    /// so the move is worth about -0.0033 USDT (and less than 1e-7 BTC): both marks stay where they were, to the tick.
    /// At the given 58% they were snapped to the model, 4,119.10 and 0.0683: a fifth of the option's value on a move of
    /// a cent.
    /// </summary>
    [Fact]
    public void A_mark_given_with_a_vol_it_disagrees_with_stays_where_it_was_after_an_index_move_of_one_cent()
    {
        var feed = StartFeed();
        var changes = Changes();
        var mark = MarkTheLinearPutAFifthOverItsVol(feed, changes);
        var coin = Math.Round((decimal)(ReferenceBlack76.Price(OptionKind.Put, 60_300, 55_000, Years, 0.58, 0) / 60_300) * 1.2m, 4, MidpointRounding.AwayFromZero);
        Assert.Equal((4_942.92m, 0.0820m), (mark, coin));
        Mark(feed, InversePut, coin, 0.58);
        changes.ExpectMsg<MarketChanged>();

        Index(feed, "BTC", 60_000.01m);

        var moved = changes.ExpectMsg<MarketChanged>().Market;
        var own = ReferenceBlack76.ImpliedVol(OptionKind.Put, 60_300, 55_000, Years, 0, (double)mark);
        var ownCoin = ReferenceBlack76.ImpliedVol(OptionKind.Put, 60_300, 55_000, Years, 0, (double)coin * 60_300);
        var step = ReferenceBlack76.Price(OptionKind.Put, 60_300.01005, 55_000, Years, own, 0) - (double)mark;
        var stepCoin = (ReferenceBlack76.Price(OptionKind.Put, 60_300.01005, 55_000, Years, ownCoin, 0) / 60_300.01005) - (double)coin;
        Assert.InRange(step, -0.004, -0.003);
        Assert.InRange(stepCoin, -1e-7, 1e-7);
        Assert.Equal((mark, 0.58), (moved.MarkOf(Put).MarkPrice, moved.MarkOf(Put).ImpliedVolatility));
        Assert.Equal((coin, 0.58), (moved.MarkOf(InversePut).MarkPrice, moved.MarkOf(InversePut).ImpliedVolatility));
    }

    /// <summary>
    /// The same 4,942.92 put mark, given with 58%, then a fall to 42,000 (forward 42,210): it is re-priced at the vol it
    /// implies itself on 60,300 (about 65.9%), Black-76 (put, 42,210, 55,000, 85d 8h, 65.9%), about 14,522.35, not at the
    /// given 58% (14,033.92, what it was snapped to before). It goes out with the 58% given with it: the scenario models
    /// re-price from that vol, and a vol switched to 65.9% at the first index move would move their margin on a move of
    /// a cent instead.
    /// </summary>
    [Fact]
    public void A_crash_after_a_mark_given_with_a_vol_it_disagrees_with_reprices_it_at_the_marks_own_vol()
    {
        var feed = StartFeed();
        var changes = Changes();
        var mark = MarkTheLinearPutAFifthOverItsVol(feed, changes);

        LetNextIndexThrough(feed, "BTC");
        Index(feed, "BTC", 42_000m);

        var own = ReferenceBlack76.ImpliedVol(OptionKind.Put, 60_300, 55_000, Years, 0, (double)mark);
        Assert.InRange(own, 0.658, 0.659);
        var usd = ReferenceBlack76.Price(OptionKind.Put, 42_210, 55_000, Years, own, 0);
        Assert.InRange(usd, 14_522, 14_523);
        var market = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Equal((Math.Round((decimal)usd, 2, MidpointRounding.AwayFromZero), 0.58), (market.MarkOf(Put).MarkPrice, market.MarkOf(Put).ImpliedVolatility));
        Assert.Equal(0.58, market.OptionInputsOf(Put).Volatility);
    }

    /// <summary>
    /// The 4,942.92 put mark given with 58% is in <see cref="LatestMarket"/> with its 58% only; a feed restarted on it
    /// solves the mark's own vol again (on the forward and at the instant the latest market values it at), so a move of
    /// one cent after the restart leaves it where it was too, rather than snapping it to 4,119.10.
    /// </summary>
    [Fact]
    public void A_mark_given_with_a_vol_it_disagrees_with_stays_where_it_was_after_a_restart_and_a_move_of_one_cent()
    {
        var feed = StartFeed();
        var changes = Changes();
        var mark = MarkTheLinearPutAFifthOverItsVol(feed, changes);
        StopFeed(feed);

        var restarted = StartFeed();
        Index(restarted, "BTC", 60_000.01m);

        var moved = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Equal((mark, 0.58), (moved.MarkOf(Put).MarkPrice, moved.MarkOf(Put).ImpliedVolatility));
    }

    /// <summary>
    /// The linear 70,000 put marked 9,500.00 with 30%: 200 below its intrinsic value on the forward 60,300 (9,700, rate
    /// 0), within 25% of Black-76 at 30% (about 10,442.49), so accepted. No vol reproduces a price below the intrinsic
    /// value, so it keeps the given 30%, and a move of one cent takes it to the model there, about 10,442.48: the nearest
    /// price that is not an arbitrage (a corner the own vol cannot cover; the jump is what every such mark did before).
    /// </summary>
    [Fact]
    public void A_mark_given_with_a_vol_below_its_intrinsic_value_is_repriced_at_the_given_vol()
    {
        var feed = StartFeed();
        var changes = Changes();
        var put = TestMarket.LinearOption(OptionKind.Put, 70_000);
        Assert.InRange(ReferenceBlack76.Price(OptionKind.Put, 60_300, 70_000, Years, 0.3, 0), 10_442, 10_443);
        Mark(feed, put, 9_500m, 0.3);
        Assert.Equal(9_500m, changes.ExpectMsg<MarketChanged>().Market.MarkOf(put).MarkPrice);

        Index(feed, "BTC", 60_000.01m);

        var usd = ReferenceBlack76.Price(OptionKind.Put, 60_300.01005, 70_000, Years, 0.3, 0);
        Assert.Equal((Math.Round((decimal)usd, 2, MidpointRounding.AwayFromZero), 0.3),
            (changes.ExpectMsg<MarketChanged>().Market.MarkOf(put).MarkPrice, Latest.Current.MarkOf(put).ImpliedVolatility));
    }

    /// <summary>
    /// Marks the linear 55,000 put 20% over Black-76 at the 58% given with it on the opening forward 60,300, to the tick
    /// (4,942.92), and waits for its market.
    /// </summary>
    private decimal MarkTheLinearPutAFifthOverItsVol(IActorRef feed, TestProbe changes)
    {
        var mark = Math.Round((decimal)ReferenceBlack76.Price(OptionKind.Put, 60_300, 55_000, Years, 0.58, 0) * 1.2m, 2, MidpointRounding.AwayFromZero);
        Mark(feed, Put, mark, 0.58);
        changes.ExpectMsg<MarketChanged>();
        return mark;
    }

    private void StopFeed(IActorRef feed)
    {
        var watcher = CreateTestProbe();
        watcher.Watch(feed);
        Sys.Stop(feed);
        watcher.ExpectTerminated(feed);
    }
}
