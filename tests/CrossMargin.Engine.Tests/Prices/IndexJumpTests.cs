using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// The index move band (<see cref="PriceOptions.MaxIndexMoveFraction"/>, default 10%) on <see cref="TestMarket"/>: BTC
/// opens at 60,000 with BTCUSDT marked 60,000; updates a second apart, as a feed sends them.
/// </summary>
public sealed class IndexJumpTests(ITestOutputHelper output) : PriceTestKit(output)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Accepted before the band: every BTC holder was re-margined at 10^20 and the held perpetual and future marks were
    /// replaced by it (and its forward), the liquidation coordinator's cue to liquidate the book. Refused now, counted,
    /// and nothing moves: no snapshot, the index 60,000, the marks where they were, no index time recorded.
    /// </summary>
    [Fact]
    public void A_BTC_index_of_1e20_after_60000_is_refused_as_a_jump_and_nothing_moves()
    {
        var feed = StartFeed();
        var changes = Changes();
        Clock.Advance(TimeSpan.FromSeconds(1));

        Index(feed, "BTC", 100_000_000_000_000_000_000m);

        var rejected = ExpectRejected(feed, "BTC", PriceRejectionReason.IndexJump);
        Assert.StartsWith("BTC: index 100000000000000000000 is ", rejected.Message, StringComparison.Ordinal);
        Assert.Contains("% from the last accepted 60000, beyond the 10% band; nothing moved (beyond a factor of 2 from the last accepted, only an operator",
            rejected.Message, StringComparison.Ordinal);
        changes.ExpectNoMsg(Quiet);
        var stats = Stats(feed);
        Assert.Equal((0L, 0L, 0L), (stats.Accepted, stats.HeldMarksReplaced, stats.IndexJumpsConfirmed));
        Assert.False(stats.IndexTimes.ContainsKey("BTC"));
        Assert.Equal((60_000m, 60_000m, 60_300m),
            (Latest.Current.PriceOf("BTC"), Latest.Current.MarkOf(TestMarket.BtcUsdt).MarkPrice, Latest.Current.MarkOf(TestMarket.BtcMarchFuture).MarkPrice));
    }

    /// <summary>
    /// 60,000 to 24,000 in one tick is a 60% fall, more than a halving: refused, with the numbers, and only an operator
    /// can let it through; the index stays 60,000. 42,000 (30% down) is refused too, but the feed can confirm it.
    /// </summary>
    [Fact]
    public void A_60_percent_one_tick_drop_of_the_BTC_index_is_refused_naming_last_new_and_band()
    {
        var feed = StartFeed();
        var changes = Changes();
        Clock.Advance(TimeSpan.FromSeconds(1));

        Index(feed, "BTC", 24_000m);

        var rejected = ExpectRejected(feed, "BTC", PriceRejectionReason.IndexJump);
        Assert.Equal("BTC: index 24000 is 60% from the last accepted 60000, beyond the 10% band; nothing moved "
            + "(beyond a factor of 2 from the last accepted, only an operator's accept-next-index lets it through).",
            rejected.Message);
        Index(feed, "BTC", 42_000m);
        Assert.Equal("BTC: index 42000 is 30% from the last accepted 60000, beyond the 10% band; nothing moved "
            + "(1 in a row at this level; the 6th, each later and within the band of the one before, is accepted, or an operator accepts the next index).",
            NextRejection().Message);
        changes.ExpectNoMsg(Quiet);
        Assert.Equal(60_000m, Latest.Current.PriceOf("BTC"));
    }

    /// <summary>
    /// The band is measured from the last accepted index, edges included: 60,000 to 66,000 (+10% exactly) is accepted,
    /// then 66,000 to 59,399.99 (10.0000152% down) is refused and 59,400 (10% of 66,000 down exactly) accepted. ETH's
    /// index has its own reference: 3,000 to 3,300 is accepted whatever BTC did.
    /// </summary>
    [Fact]
    public void Moves_within_the_band_of_the_last_accepted_index_are_accepted_up_to_its_edge()
    {
        var feed = StartFeed();
        var changes = Changes();

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 66_000m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        Assert.Equal(66_000m, changes.ExpectMsg<MarketChanged>().Market.PriceOf("BTC"));

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 59_399.99m);
        Assert.Contains("index 59399.99 is 10.00002% from the last accepted 66000", NextRejection().Message, StringComparison.Ordinal);
        Index(feed, "BTC", 59_400m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        Assert.Equal(59_400m, changes.ExpectMsg<MarketChanged>().Market.PriceOf("BTC"));
        Index(feed, "ETH", 3_300m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        Assert.Equal(3_300m, changes.ExpectMsg<MarketChanged>().Market.PriceOf("ETH"));

        var stats = Stats(feed);
        Assert.Equal((3L, 1L), (stats.Accepted, stats.RejectedFor(PriceRejectionReason.IndexJump)));
    }

    /// <summary>
    /// A real fall the feed insists on: 60,000 to 42,000 (-30%, within a factor of 2) sent a second apart, each level
    /// within 10% of the one before (42,000, 41,500, 41,800, 41,800 resent, 41,900, 41,700, 42,100): the first five
    /// distinct timestamps are refused (the resend too, and it neither counts nor breaks the chain) and the sixth, the
    /// fifth confirmation, is accepted, with the held marks replaced (BTCUSDT by 42,100) and counted as confirmed.
    /// </summary>
    [Fact]
    public void A_fall_the_feed_confirms_five_times_in_a_row_is_accepted_at_the_fifth_confirmation()
    {
        var feed = StartFeed();
        var changes = Changes();
        foreach (var (price, resend) in new[] { (42_000m, false), (41_500m, false), (41_800m, false), (41_800m, true), (41_900m, false), (41_700m, false) })
        {
            if (!resend)
            {
                Clock.Advance(TimeSpan.FromSeconds(1));
            }

            Index(feed, "BTC", price);
            Assert.Equal(PriceRejectionReason.IndexJump, NextRejection().Reason);
        }

        changes.ExpectNoMsg(Quiet);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 42_100m);

        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        var market = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Equal((42_100m, 42_100m), (market.PriceOf("BTC"), market.MarkOf(TestMarket.BtcUsdt).MarkPrice));
        var stats = Stats(feed);
        Assert.Equal((1L, 6L, 1L), (stats.Accepted, stats.RejectedFor(PriceRejectionReason.IndexJump), stats.IndexJumpsConfirmed));
    }

    /// <summary>
    /// The chain is of updates in a row at one level: 42,000 twice, then 30,000 (28.6% from 42,000) starts a new one,
    /// and an in-band 60,500 ends it (accepted). After it 42,000 is again the first of its level, so five more are
    /// refused before the sixth gets in.
    /// </summary>
    [Fact]
    public void Another_level_or_an_accepted_index_starts_the_confirmation_count_again()
    {
        var feed = StartFeed();
        string Refused(decimal price)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            Index(feed, "BTC", price);
            return NextRejection().Message;
        }

        Refused(42_000m);
        Assert.Contains("(2 in a row", Refused(42_000m), StringComparison.Ordinal);
        Assert.Contains("(1 in a row", Refused(30_000m), StringComparison.Ordinal);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 60_500m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        for (var i = 1; i <= 5; i++)
        {
            Assert.Contains($"({i} in a row", Refused(42_000m), StringComparison.Ordinal);
        }

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 42_000m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        AwaitAssert(() => Assert.Equal(42_000m, Latest.Current.PriceOf("BTC")));
    }

    /// <summary>
    /// A feed stuck at a wrong level (a unit error: 100x) is refused however often it repeats: beyond a factor of 2 only
    /// an operator accepts it. Ten updates of 6,000,000 a second apart, all refused; BTC stays 60,000.
    /// </summary>
    [Fact]
    public void A_level_beyond_a_factor_of_two_is_refused_however_often_the_feed_repeats_it()
    {
        var feed = StartFeed();
        for (var i = 0; i < 10; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            Index(feed, "BTC", 6_000_000m);
            Assert.Equal(PriceRejectionReason.IndexJump, NextRejection().Reason);
        }

        var stats = Stats(feed);
        Assert.Equal((0L, 10L), (stats.Accepted, stats.RejectedFor(PriceRejectionReason.IndexJump)));
        Assert.Equal(60_000m, Latest.Current.PriceOf("BTC"));
    }

    /// <summary>
    /// With <see cref="PriceOptions.IndexJumpConfirmations"/> 0 nothing but an operator lets a jump through: the 60%
    /// fall is refused seven times; after <see cref="AcceptNextIndex"/> (answered with the index in force, 60,000) the
    /// next one is accepted and counted as overridden, and the one after is banded against 24,000 again (30,000 is 25%
    /// up: refused). The override is used once.
    /// </summary>
    [Fact]
    public void An_operators_accept_next_index_lets_one_jump_through_and_the_band_applies_again_after_it()
    {
        var feed = StartFeed(new PriceOptions { IndexJumpConfirmations = 0 });
        var changes = Changes();
        for (var i = 0; i < 7; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            Index(feed, "BTC", 24_000m);
            Assert.EndsWith("(only an operator's accept-next-index lets a jump through).", NextRejection().Message, StringComparison.Ordinal);
        }

        feed.Tell(new AcceptNextIndex("BTC"), TestActor);
        Assert.Equal(new NextIndexWillBeAccepted("BTC", 60_000m), ExpectMsg<NextIndexWillBeAccepted>());
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 24_000m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        Assert.Equal(24_000m, changes.ExpectMsg<MarketChanged>().Market.PriceOf("BTC"));

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 30_000m);
        Assert.Contains("index 30000 is 25% from the last accepted 24000", NextRejection().Message, StringComparison.Ordinal);
        var stats = Stats(feed);
        Assert.Equal((1L, 8L, 1L, 0L), (stats.Accepted, stats.RejectedFor(PriceRejectionReason.IndexJump), stats.IndexJumpsOverridden, stats.IndexJumpsConfirmed));
    }

    /// <summary>
    /// An override for a level (near 42,000) is used only by an index within the band of it: 10^20 is refused as if none
    /// were armed (saying the override waits), 60,500 is accepted as an ordinary move (0.83%) and leaves it armed, and
    /// 41,000 (2.4% from 42,000, 32.2% from 60,500) uses it. A level of 0 is refused.
    /// </summary>
    [Fact]
    public void An_override_for_a_level_waits_for_an_index_near_it_and_lets_a_corrupt_tick_no_further()
    {
        var feed = StartFeed(new PriceOptions { IndexJumpConfirmations = 0 });
        feed.Tell(new AcceptNextIndex("BTC", 42_000m), TestActor);
        ExpectMsg<NextIndexWillBeAccepted>();

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 100_000_000_000_000_000_000m);
        Assert.EndsWith("(only an operator's accept-next-index lets a jump through; the operator's override waits for an index within the band of 42000).",
            NextRejection().Message, StringComparison.Ordinal);
        Index(feed, "BTC", 60_500m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 41_000m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        AwaitAssert(() => Assert.Equal(41_000m, Latest.Current.PriceOf("BTC")));
        var stats = Stats(feed);
        Assert.Equal((2L, 1L, 1L), (stats.Accepted, stats.RejectedFor(PriceRejectionReason.IndexJump), stats.IndexJumpsOverridden));

        feed.Tell(new AcceptNextIndex("BTC", 0m), TestActor);
        Assert.Equal("BTC: the level an override is for must be positive, not 0.", ExpectMsg<PriceRejected>().Message);
    }

    /// <summary>
    /// An override without a level, armed while the feed still ticks inside the band, is spent by the jump, not by the
    /// ordinary tick before it: 60,300 (0.5%) is accepted as usual and counted as no override, then the fall to 24,000
    /// (60.2% from 60,300) uses it. Spent by the first tick instead, the jump was refused, and nodes of a cluster whose
    /// queues ordered the override and the ticks differently spent it on different updates.
    /// </summary>
    [Fact]
    public void An_override_armed_while_the_feed_ticks_inside_the_band_is_spent_by_the_jump()
    {
        var feed = StartFeed(new PriceOptions { IndexJumpConfirmations = 0 });
        feed.Tell(new AcceptNextIndex("BTC"), TestActor);
        ExpectMsg<NextIndexWillBeAccepted>();

        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 60_300m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        Assert.Equal(0L, Stats(feed).IndexJumpsOverridden);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 24_000m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        AwaitAssert(() => Assert.Equal(24_000m, Latest.Current.PriceOf("BTC")));
        var stats = Stats(feed);
        Assert.Equal((2L, 0L, 1L), (stats.Accepted, stats.RejectedFor(PriceRejectionReason.IndexJump), stats.IndexJumpsOverridden));
    }

    /// <summary>An override for an asset the market does not price is refused, not counted as a refused price.</summary>
    [Fact]
    public void Accept_next_index_for_an_unknown_asset_is_refused()
    {
        var feed = StartFeed();
        feed.Tell(new AcceptNextIndex("DOGE"), TestActor);
        Assert.Equal((PriceRejectionReason.UnknownAsset, "DOGE: the market has no index for this asset."), ExpectMsg<PriceRejected>() is var r ? (r.Reason, r.Message) : default);
        Assert.Equal(0, Stats(feed).TotalRejected);
    }

    /// <summary>
    /// The reference survives a restart of the feed (its price actors re-read the index from the node's latest market):
    /// accepted 63,000 (5% up), the feed stopped and started again on the same latest market. 56,000 is only 6.7% from
    /// the opening 60,000 but 11.1% from 63,000: refused. 69,000 is 15% from 60,000 but 9.5% from 63,000: accepted.
    /// </summary>
    [Fact]
    public void A_restarted_feed_bands_the_index_against_the_last_accepted_one_not_the_opening_market()
    {
        var feed = StartFeed();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(feed, "BTC", 63_000m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        AwaitAssert(() => Assert.Equal(63_000m, Latest.Current.PriceOf("BTC")));
        Watch(feed);
        Sys.Stop(feed);
        ExpectTerminated(feed);

        var restarted = StartFeed();
        Clock.Advance(TimeSpan.FromSeconds(1));
        Index(restarted, "BTC", 56_000m);
        Assert.Contains("index 56000 is 11.11111% from the last accepted 63000", NextRejection().Message, StringComparison.Ordinal);
        Index(restarted, "BTC", 69_000m);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        AwaitAssert(() => Assert.Equal(69_000m, Latest.Current.PriceOf("BTC")));
    }
}
