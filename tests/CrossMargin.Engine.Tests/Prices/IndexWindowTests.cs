using CrossMargin.Engine.Prices;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// The index move band over a window of feed time (<see cref="PriceOptions.MaxIndexMoveFractionPerWindow"/>, off by
/// default; here 20% over a minute): BTC opens at 60,000 and the feed ticks a second apart, from 1 s after the clock's start.
/// </summary>
public sealed class IndexWindowTests(ITestOutputHelper output) : PriceTestKit(output)
{
    private static readonly PriceOptions Window = new() { MaxIndexMoveFractionPerWindow = 0.20m, IndexMoveWindow = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// Each step inside the 10% band, the walk is not: 65,000 (+8.3%) and 70,000 (+7.7%) are accepted; 73,000 (+4.3%
    /// from 70,000) is 21.66667% from 60,000, accepted 2 s before it and still in the window: refused, naming the window,
    /// and nothing moves. Still refused 60 s after 60,000 (the window's edge: in it); accepted a second later, when only
    /// 70,000 (4.3% away) is left in it. Without the window all three were accepted: a walk of +9.9% ticks went 2.6x in ten.
    /// </summary>
    [Fact]
    public void A_walk_of_in_band_ticks_further_than_the_window_band_is_refused_until_the_window_has_passed()
    {
        var feed = StartFeed(Window);
        var start = Now;
        IndicesAccepted(feed, "BTC", 65_000m, 70_000m);

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 73_000m);
        Assert.Equal("BTC: index 73000 is 21.66667% from 60000, accepted 2 s before it, beyond the 20% band over 60 s of feed time; nothing moved "
            + "(1 in a row at this level; the 6th, each later and within the band of the one before, is accepted, or an operator accepts the next index).",
            NextRejection().Message);
        AwaitAssert(() => Assert.Equal(70_000m, Latest.Current.PriceOf("BTC")));

        Clock.Advance(start.AddSeconds(61) - Now);
        Index(feed, "BTC", 73_000m);
        Assert.StartsWith("BTC: index 73000 is 21.66667% from 60000, accepted 60 s before it,", NextRejection().Message, StringComparison.Ordinal);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 73_000m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        AwaitAssert(() => Assert.Equal(73_000m, Latest.Current.PriceOf("BTC")));
        Assert.Equal(2, Stats(feed).RejectedFor(PriceRejectionReason.IndexJump));
    }

    /// <summary>
    /// A fall is bounded the same way, from the highest index in the window: 55,000 (-8.3%) and 50,000 (-9.1%) accepted,
    /// 47,000 (-6% from 50,000) refused as 21.66667% below 60,000.
    /// </summary>
    [Fact]
    public void A_fall_in_band_ticks_is_bounded_from_the_highest_index_in_the_window()
    {
        var feed = StartFeed(Window);
        IndicesAccepted(feed, "BTC", 55_000m, 50_000m);

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 47_000m);

        Assert.StartsWith("BTC: index 47000 is 21.66667% from 60000, accepted 2 s before it, beyond the 20% band over 60 s of feed time;", NextRejection().Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A level the feed confirms (or an operator lets through) is the new level: the window starts afresh from it. 73,000
    /// refused at 3 s and confirmed at the sixth tick (8 s); 75,000 then (2.7% from 73,000, 25% from 60,000 which is
    /// still within the minute) is accepted.
    /// </summary>
    [Fact]
    public void A_confirmed_level_starts_the_window_afresh()
    {
        var feed = StartFeed(Window);
        IndicesAccepted(feed, "BTC", 65_000m, 70_000m);

        for (var i = 0; i < 5; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            Index(feed, "BTC", 73_000m);
            Assert.Equal(PriceRejectionReason.IndexJump, NextRejection().Reason);
        }

        IndicesAccepted(feed, "BTC", 73_000m, 75_000m);

        var stats = Stats(feed);
        Assert.Equal((1L, 5L), (stats.IndexJumpsConfirmed, stats.RejectedFor(PriceRejectionReason.IndexJump)));
    }

    /// <summary>
    /// Off by default: ten ticks of +9.9% each (rounded to the cent) are all accepted, the index going from 60,000 to
    /// 2.57 times it, as before the window existed.
    /// </summary>
    [Fact]
    public void The_window_band_is_off_by_default()
    {
        var feed = StartFeed();
        var btc = 60_000m;
        for (var i = 0; i < 10; i++)
        {
            btc = Math.Round(btc * 1.099m, 2);
            IndicesAccepted(feed, "BTC", btc);
        }

        AwaitAssert(() => Assert.Equal(btc, Latest.Current.PriceOf("BTC")));
        Assert.Equal(154_215.55m, btc);
        Assert.Equal(0m, new PriceOptions().MaxIndexMoveFractionPerWindow);
    }
}
