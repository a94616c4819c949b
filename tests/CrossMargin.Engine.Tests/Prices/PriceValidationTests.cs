using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Pricing;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

public sealed class PriceValidationTests(ITestOutputHelper output) : PriceTestKit(output)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void Mark_for_an_unlisted_instrument_is_rejected_and_counted()
    {
        var feed = StartFeed();
        Mark(feed, "DOGEUSDT", 0.1m);
        var rejected = ExpectRejected(feed, "DOGEUSDT", PriceRejectionReason.UnknownInstrument);
        Assert.Contains("does not list", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(0, Stats(feed).Accepted);
    }

    [Fact]
    public void Malformed_update_without_a_symbol_is_rejected_and_the_feed_carries_on()
    {
        var feed = StartFeed();
        var changes = Changes();

        Mark(feed, null!, 1m);
        ExpectRejected(feed, "", PriceRejectionReason.UnknownInstrument);
        Mark(feed, TestMarket.EthUsdt, 3001m);

        Assert.Equal(3001m, changes.ExpectMsg<MarketChanged>().Market.MarkOf(TestMarket.EthUsdt).MarkPrice);
    }

    /// <summary>
    /// BTC's March future (tick 0.01) falls back to its forward, 1.005 x the index, when an index leaves its mark outside
    /// the band. At an index of 10^27 that forward is 1.005e27, fine as a decimal but 1.005e29 ticks, past a decimal's
    /// 7.9e28: the price actor threw on it after answering the index accepted, and restarted without it. Refused before
    /// anything is recorded, the feed keeps 60,000 and takes the next sound index (57,000, within the band of every mark).
    /// </summary>
    [Fact]
    public void An_index_whose_futures_forward_in_ticks_exceeds_a_decimal_is_refused_and_the_feed_goes_on()
    {
        var feed = StartFeed();
        var changes = Changes();
        Clock.Advance(TimeSpan.FromSeconds(1));

        Index(feed, "BTC", 1_000_000_000_000_000_000_000_000_000m);
        var rejected = ExpectRejected(feed, "BTC", PriceRejectionReason.ForwardOutOfRange);
        Assert.Contains(TestMarket.BtcMarchFuture, rejected.Message, StringComparison.Ordinal);
        Assert.False(Stats(feed).IndexTimes.TryGetValue("BTC", out var recorded) && recorded == Now, "the refused index's time was recorded");
        changes.ExpectNoMsg(Quiet);

        Index(feed, "BTC", 57_000m);
        var market = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Equal((57_000m, 60_300m), (market.PriceOf("BTC"), market.MarkOf(TestMarket.BtcMarchFuture).MarkPrice));
    }

    /// <summary>
    /// Without a dated future, BTC's held option marks are re-priced at each index move (Black-76 on the forward, to the
    /// tick): at 10^27 the 55,000 call is worth about its forward, 1.005e27, which is 1.005e29 ticks of 0.01, past a
    /// decimal. The actor threw on it after answering the index accepted; refused, the feed keeps 60,000 and takes 57,000.
    /// </summary>
    [Fact]
    public void An_index_at_which_a_linear_options_forward_in_ticks_exceeds_a_decimal_is_refused_and_the_feed_goes_on()
    {
        var latest = new LatestMarket(TestMarket.Build(60_000m, 3_000m, TestMarket.Instruments.Where(i => i.Symbol != TestMarket.BtcMarchFuture)));
        var feed = StartFeed(latest);
        var changes = Changes();

        Index(feed, "BTC", 1_000_000_000_000_000_000_000_000_000m);
        var rejected = ExpectRejected(feed, "BTC", PriceRejectionReason.ForwardOutOfRange);
        Assert.Contains("-C", rejected.Message, StringComparison.Ordinal);
        changes.ExpectNoMsg(Quiet);

        Index(feed, "BTC", 57_000m);
        Assert.Equal(57_000m, changes.ExpectMsg<MarketChanged>().Market.PriceOf("BTC"));
    }

    /// <summary>
    /// At an index of 0.004 the March forward is 0.00402, below the future's one tick of 0.01: the fallback rounded it to
    /// a mark of 0, which no feed may send (zero margin on every holder). Refused; the future keeps 60,300.
    /// </summary>
    [Fact]
    public void An_index_whose_futures_forward_is_below_one_tick_is_refused_rather_than_mark_the_future_at_zero()
    {
        var feed = StartFeed();
        var changes = Changes();

        Index(feed, "BTC", 0.004m);
        var rejected = ExpectRejected(feed, "BTC", PriceRejectionReason.ForwardOutOfRange);
        Assert.Contains("0.00402", rejected.Message, StringComparison.Ordinal);
        changes.ExpectNoMsg(Quiet);
        Assert.Equal(60_300m, Latest.Current.MarkOf(TestMarket.BtcMarchFuture).MarkPrice);
        Assert.Equal(0, Stats(feed).HeldMarksReplaced);
    }

    [Fact]
    public void Index_for_an_unpriced_asset_is_rejected_and_counted()
    {
        var feed = StartFeed();
        Index(feed, "DOGE", 0.1m);
        ExpectRejected(feed, "DOGE", PriceRejectionReason.UnknownAsset);
    }

    [Fact]
    public void Zero_and_negative_prices_are_rejected_and_counted()
    {
        var feed = StartFeed();
        Mark(feed, TestMarket.BtcUsdt, 0m);
        Assert.Equal(PriceRejectionReason.NonPositivePrice, NextRejection().Reason);
        Index(feed, "BTC", -1m);
        var rejected = NextRejection();
        Assert.Equal(("BTC", PriceRejectionReason.NonPositivePrice), (rejected.Symbol, rejected.Reason));
        Assert.Contains("-1", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(2, Stats(feed).RejectedFor(PriceRejectionReason.NonPositivePrice));
    }

    [Fact]
    public void Nan_negative_absurd_and_misplaced_vols_are_rejected_and_counted()
    {
        var feed = StartFeed();
        var call = TestMarket.LinearOption(OptionKind.Call, 60000);
        var mark = Latest.Current.MarkOf(call).MarkPrice;
        foreach (var vol in new[] { double.NaN, -0.5, 0.0, 6.0, double.PositiveInfinity })
        {
            Mark(feed, call, mark, vol);
            var rejected = NextRejection();
            Assert.Equal((call, PriceRejectionReason.InvalidVolatility), (rejected.Symbol, rejected.Reason));
        }

        Mark(feed, TestMarket.BtcUsdt, 60000m, 0.5);
        Assert.Contains("not an option", NextRejection(r => r.Reason == PriceRejectionReason.InvalidVolatility).Message, StringComparison.Ordinal);

        var stats = Stats(feed);
        Assert.Equal(6, stats.RejectedFor(PriceRejectionReason.InvalidVolatility));
        Assert.Equal(6, stats.TotalRejected);
        Assert.Equal(0, stats.Accepted);
    }

    [Fact]
    public void Option_mark_no_vol_can_explain_is_rejected_as_invalid_volatility()
    {
        var feed = StartFeed();
        // A 50000 call is worth at least its intrinsic 10300 on a forward of 60300: a mark of 1 is below it.
        Mark(feed, TestMarket.LinearOption(OptionKind.Call, 50000), 1m);
        var rejected = ExpectRejected(feed, TestMarket.LinearOption(OptionKind.Call, 50000), PriceRejectionReason.InvalidVolatility);
        Assert.Contains("no vol reproduces mark 1", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Option_mark_without_vol_is_accepted_with_the_vol_implied_from_it()
    {
        var feed = StartFeed();
        var changes = Changes();
        var call = TestMarket.LinearOption(OptionKind.Call, 65000);
        var forward = (double)(60000m * TestMarket.MarchBasis);
        var years = YearFraction.Act365(Now, TestMarket.March);
        var price = Math.Round((decimal)Black76.Price(OptionKind.Call, forward, 65000, years, 0.7, 0), 2);

        Mark(feed, call, price);

        var market = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Equal(price, market.MarkOf(call).MarkPrice);
        Assert.Equal(0.7, market.MarkOf(call).ImpliedVolatility!.Value, 4);
        Assert.Equal(0.7, market.OptionInputsOf(call).Volatility, 4);
    }

    [Fact]
    public void Option_forward_keeps_its_quoted_basis_when_the_index_moves()
    {
        // The opening quotes BTC March at 60,300 against an index of 60,000 (basis 1.005). After a fall to 42,000 the
        // forward is 42,000 x 1.005 = 42,210; taken as a price it stayed at 60,300, 43% above the index.
        var feed = StartFeed();
        var changes = Changes();

        LetNextIndexThrough(feed, "BTC");
        Index(feed, "BTC", 42_000m);

        var market = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Equal(42_210, market.OptionInputsOf(TestMarket.LinearOption(OptionKind.Put, 55000)).Forward, 1e-6);
        Assert.Equal(42_210, market.ForwardOf("BTC", TestMarket.March), 1e-6);
    }

    [Fact]
    public void Option_mark_without_vol_after_a_crash_implies_the_vol_it_was_priced_at()
    {
        var feed = StartFeed();
        var changes = Changes();
        LetNextIndexThrough(feed, "BTC");
        Index(feed, "BTC", 42_000m);
        changes.ExpectMsg<MarketChanged>();
        var put = TestMarket.LinearOption(OptionKind.Put, 55000);
        var years = YearFraction.Act365(Now, TestMarket.March);

        // Priced at the moved forward 42,000 x 1.005 and 70% vol: deep in the money, about 13,000. Against a forward
        // left at 60,300 the same mark implied a vol near 2.
        var price = Math.Round((decimal)Black76.Price(OptionKind.Put, 42_210, 55000, years, 0.7, 0), 2);
        Mark(feed, put, price);

        var market = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Equal(0.7, market.OptionInputsOf(put).Volatility, 4);
    }

    [Fact]
    public void Stale_mark_is_rejected_once_the_clock_passes_max_age()
    {
        var feed = StartFeed(new PriceOptions { MaxMarkAge = TimeSpan.FromSeconds(5) });
        var changes = Changes();
        var observed = Now;

        Clock.Advance(TimeSpan.FromSeconds(5));
        Mark(feed, TestMarket.BtcUsdt, 60010m, at: observed);
        changes.ExpectMsg<MarketChanged>();

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Mark(feed, TestMarket.BtcUsdt, 60020m, at: observed);
        var rejected = ExpectRejected(feed, TestMarket.BtcUsdt, PriceRejectionReason.Stale);
        Assert.Contains("5001 ms old", rejected.Message, StringComparison.Ordinal);
        Assert.Contains("at most 5000 ms", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(60010m, Latest.Current.MarkOf(TestMarket.BtcUsdt).MarkPrice);
        Assert.Equal(1, Stats(feed).Accepted);
    }

    [Fact]
    public void Timestamp_ahead_of_the_clock_is_accepted_within_the_skew_and_rejected_beyond_it()
    {
        var feed = StartFeed(new PriceOptions { MaxFutureSkew = TimeSpan.FromSeconds(1) });
        var changes = Changes();

        Index(feed, "BTC", 60100m, Now + TimeSpan.FromSeconds(1));
        changes.ExpectMsg<MarketChanged>();
        Index(feed, "ETH", 3010m, Now + TimeSpan.FromMilliseconds(1001));

        var rejected = ExpectRejected(feed, "ETH", PriceRejectionReason.FromFuture);
        Assert.Contains("1001 ms ahead", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(3000m, Latest.Current.PriceOf("ETH"));
    }

    [Fact]
    public void Update_older_than_the_last_accepted_for_its_symbol_is_rejected_as_out_of_order()
    {
        var feed = StartFeed();
        var changes = Changes();

        Mark(feed, TestMarket.EthUsdt, 3010m, at: Now);
        changes.ExpectMsg<MarketChanged>();
        Mark(feed, TestMarket.EthUsdt, 3005m, at: Now - TimeSpan.FromMilliseconds(1));

        var rejected = ExpectRejected(feed, TestMarket.EthUsdt, PriceRejectionReason.OutOfOrder);
        Assert.Contains("older than the last accepted", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(3010m, Latest.Current.MarkOf(TestMarket.EthUsdt).MarkPrice);

        // Another symbol's clock is its own: an older timestamp there is fine.
        Mark(feed, TestMarket.BtcUsdt, 60005m, at: Now - TimeSpan.FromMilliseconds(1));
        changes.ExpectMsg<MarketChanged>();
    }

    [Fact]
    public void Mark_beyond_the_band_around_the_index_is_rejected_while_the_same_mark_inside_it_is_accepted()
    {
        var feed = StartFeed(new PriceOptions { MarkBandFraction = 0.10m });
        var changes = Changes();

        Mark(feed, TestMarket.BtcUsdt, 66_000.01m);
        var rejected = ExpectRejected(feed, TestMarket.BtcUsdt, PriceRejectionReason.OutsideBand);
        Assert.Contains("66000.01 is 10.00002% from the BTC index 60000, beyond the 10% band", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(60000m, Latest.Current.MarkOf(TestMarket.BtcUsdt).MarkPrice);

        // The index moves up 1%; the same mark is now inside the band.
        Index(feed, "BTC", 60_600m);
        changes.ExpectMsg<MarketChanged>();
        Mark(feed, TestMarket.BtcUsdt, 66_000.01m);
        var changed = changes.ExpectMsg<MarketChanged>();
        Assert.Equal(66_000.01m, changed.Market.MarkOf(TestMarket.BtcUsdt).MarkPrice);
        Assert.Equal(1, Stats(feed).RejectedFor(PriceRejectionReason.OutsideBand));
        // The two accepted updates were each answered; nothing else came back.
        Assert.Equal([new PriceAccepted("BTC"), new PriceAccepted(TestMarket.BtcUsdt)], ReceiveN(2));
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Marks_of_expired_instruments_are_rejected_and_expired_instruments_leave_the_market()
    {
        var feed = StartFeed();
        var changes = Changes();
        Clock.Advance(TestMarket.March - Now);

        Mark(feed, TestMarket.BtcMarchFuture, 60300m);
        ExpectRejected(feed, TestMarket.BtcMarchFuture, PriceRejectionReason.InstrumentExpired);

        Index(feed, "BTC", 60100m);
        var market = changes.ExpectMsg<MarketChanged>().Market;
        Assert.Null(market.FindInstrument(TestMarket.BtcMarchFuture));
        Assert.NotNull(market.FindInstrument(TestMarket.BtcUsdt));
        Assert.Empty(market.Options);
    }

    [Fact]
    public void Each_update_of_a_batch_is_validated_on_its_own()
    {
        var feed = StartFeed();
        var changes = Changes();

        feed.Tell(new UpdatePrices(
            [new UpdateIndex("ETH", 3030m, Now), new UpdateIndex("DOGE", 1m, Now)],
            [new UpdateMark(TestMarket.EthUsdt, 3031m, null, Now), new UpdateMark(TestMarket.BtcUsdt, -5m, null, Now)]), TestActor);

        var rejections = new[] { NextRejection(), NextRejection() }.Select(r => (r.Symbol, r.Reason)).Order().ToArray();
        Assert.Equal([("BTCUSDT", PriceRejectionReason.NonPositivePrice), ("DOGE", PriceRejectionReason.UnknownAsset)], rejections);
        AwaitAssert(() => Assert.Equal(3031m, Latest.Current.MarkOf(TestMarket.EthUsdt).MarkPrice));
        Assert.Equal(3030m, Latest.Current.PriceOf("ETH"));
        var stats = Stats(feed);
        Assert.Equal(2, stats.Accepted);
        Assert.Equal(2, stats.TotalRejected);
    }

    /// <summary>
    /// Equity uses an option's mark and the scenarios its vol: given together they must agree. The 60,000 call on the
    /// forward 60,300 priced by Black-76 at 80% vol (about 45% more than at its 55%) is refused when sent with 55%; 20%
    /// above the 55% price is within the default 25% band and accepted. A mark floored to one tick, as the simulator
    /// sends for an option worth less (the inverse 70,000 call at 5% vol), is within one tick of its price and accepted.
    /// </summary>
    [Fact]
    public void Option_mark_far_from_its_black76_price_at_the_vol_given_with_it_is_rejected_but_a_tick_floored_mark_is_not()
    {
        var feed = StartFeed();
        var call = TestMarket.LinearOption(OptionKind.Call, 60000);
        var years = YearFraction.Act365(Now, TestMarket.March);
        decimal Price(double vol) => Math.Round((decimal)Black76.Price(OptionKind.Call, 60_300, 60000, years, vol, 0), 2);
        Assert.InRange(Price(0.80) / Price(0.55), 1.4m, 1.5m);

        Mark(feed, call, Price(0.80), 0.55);
        var rejected = ExpectRejected(feed, call, PriceRejectionReason.OutsideBand);
        Assert.Contains($"mark {Price(0.80)} is ", rejected.Message, StringComparison.Ordinal);
        Assert.Contains("from its Black-76 price", rejected.Message, StringComparison.Ordinal);

        Mark(feed, call, Math.Round(Price(0.55) * 1.2m, 2), 0.55);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        var cheap = TestMarket.InverseOption(OptionKind.Call, 70000);
        Assert.True(Black76.Price(OptionKind.Call, 60_300, 70000, years, 0.05, 0) / 60_300 < 0.00005);
        Mark(feed, cheap, 0.0001m, 0.05);
        Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        Assert.Equal((2L, 1L), (Stats(feed).Accepted, Stats(feed).TotalRejected));
    }

    /// <summary>
    /// The simulator's marks (Black-76 at the opening vol on the moved forward, rounded to the tick, at least one tick;
    /// <c>MarkModel</c>) of every listed option, sent with their vol in the tick of a 60% fall to 24,000 (forward 24,120,
    /// so the 65,000 and 70,000 calls are floored at one tick), are all accepted: rounding and the one-tick floor are within the band's tick of slack, deep in and far out of the
    /// money alike.
    /// </summary>
    [Fact]
    public void Tick_rounded_and_tick_floored_option_marks_at_their_vol_are_all_accepted_after_a_crash()
    {
        var feed = StartFeed();
        var years = YearFraction.Act365(Now, TestMarket.March);
        var options = Latest.Current.Instruments.OfType<OptionContract>().ToArray();
        var marks = options.Select(o =>
        {
            var vol = Latest.Current.MarkOf(o.Symbol).ImpliedVolatility!.Value;
            var usd = Black76.Price(o.Kind, 24_120, (double)o.Strike, years, vol, 0);
            var quoted = (decimal)(o.Settlement == SettlementKind.Inverse ? usd / 24_120 : usd);
            var price = Math.Round(Math.Max(quoted, o.TickSize) / o.TickSize, MidpointRounding.AwayFromZero) * o.TickSize;
            return new UpdateMark(o.Symbol, price, vol, Now);
        }).ToArray();
        Assert.Contains(marks, m => m.Price == Latest.Current.GetInstrument(m.Symbol).TickSize); // some floored at one tick

        LetNextIndexThrough(feed, "BTC");
        feed.Tell(new UpdatePrices([new UpdateIndex("BTC", 24_000m, Now)], marks), TestActor);

        for (var i = 0; i <= marks.Length; i++)
        {
            Assert.IsType<PriceAccepted>(ExpectMsg<object>());
        }

        Assert.Equal((marks.Length + 1L, 0L), (Stats(feed).Accepted, Stats(feed).TotalRejected));
    }

    [Fact]
    public void Option_mark_above_the_most_the_option_can_be_worth_is_rejected_even_with_a_vol_given()
    {
        // Options are not banded around the index, and with a vol given their price was not looked at: a fat-fingered
        // premium went straight into every holder's equity (an option is valued at its mark). A call is worth less
        // than the discounted forward and a put less than the discounted strike, whatever the vol.
        var feed = StartFeed();
        var call = TestMarket.LinearOption(OptionKind.Call, 60000);
        var put = TestMarket.InverseOption(OptionKind.Put, 55000);

        Mark(feed, call, 1_000_000m, TestMarket.VolAt(60000));
        var rejected = ExpectRejected(feed, call, PriceRejectionReason.OutsideBand);
        Assert.Contains("mark 1000000 is at or above the most a call can be worth", rejected.Message, StringComparison.Ordinal);
        // 55,000 / 60,300 = 0.91211 BTC is the most the inverse put can be worth (rate 0, forward 60,300).
        Mark(feed, put, 0.9122m, TestMarket.VolAt(55000));
        var second = NextRejection();
        Assert.Equal((put, PriceRejectionReason.OutsideBand), (second.Symbol, second.Reason));

        Assert.Equal(2, Stats(feed).RejectedFor(PriceRejectionReason.OutsideBand));
        Assert.Equal(0, Stats(feed).Accepted);
        Assert.Equal(TestMarket.Build().MarkOf(call).MarkPrice, Latest.Current.MarkOf(call).MarkPrice);
    }

    [Fact]
    public void Mark_too_large_to_measure_against_a_small_index_is_rejected_and_the_actor_keeps_its_order_check()
    {
        // |mark - index| / index overflowed a decimal for an index below 1: the price actor threw, was restarted and
        // forgot the last timestamps, so the sender got no answer and an older mark was then taken over a newer one.
        var feed = StartFeed();
        var changes = Changes();
        LetNextIndexThrough(feed, "ETH");
        Index(feed, "ETH", 0.5m);
        changes.ExpectMsg<MarketChanged>();
        Mark(feed, TestMarket.EthUsdt, 0.51m, at: Now);
        changes.ExpectMsg<MarketChanged>();

        Mark(feed, TestMarket.EthUsdt, decimal.MaxValue, at: Now);
        var rejected = NextRejection();
        Assert.Equal((TestMarket.EthUsdt, PriceRejectionReason.OutsideBand), (rejected.Symbol, rejected.Reason));

        Mark(feed, TestMarket.EthUsdt, 0.49m, at: Now - TimeSpan.FromMilliseconds(1));
        Assert.Equal(PriceRejectionReason.OutOfOrder, NextRejection().Reason);
        Assert.Equal(0.51m, Latest.Current.MarkOf(TestMarket.EthUsdt).MarkPrice);
    }
}
