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
        Index(feed, "BTC", 42_000m);
        changes.ExpectMsg<MarketChanged>();
        var repriced = Math.Round((decimal)ReferenceBlack76.Price(OptionKind.Put, 42_210, 55_000, Years, 0.58, 0), 2, MidpointRounding.AwayFromZero);
        var watcher = CreateTestProbe("watcher");
        watcher.Watch(feed);
        Sys.Stop(feed);
        watcher.ExpectTerminated(feed);
        Assert.Equal(repriced, Latest.Current.MarkOf(Put).MarkPrice);

        var restarted = StartFeed();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(restarted, "ETH", 3_010m);
        Assert.Equal(repriced, changes.ExpectMsg<MarketChanged>().Market.MarkOf(Put).MarkPrice);
        Index(restarted, "BTC", 40_000m);

        var expected = Math.Round((decimal)ReferenceBlack76.Price(OptionKind.Put, 40_200, 55_000, Years, 0.58, 0), 2, MidpointRounding.AwayFromZero);
        Assert.Equal((expected, 0.58), (changes.ExpectMsg<MarketChanged>().Market.MarkOf(Put).MarkPrice, Latest.Current.MarkOf(Put).ImpliedVolatility));
    }
}
