using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// The step that closes an account's last position: bounded so that no fill leaves a deficit the fund cannot pay, and
/// taken over by auto-deleveraging when the book fills none of it. Hand figures: acc-1 has 120 USDT and is long 0.1
/// BTCUSDT at 60,000; BTC at 59,000: equity 120 - 100 = 20 &lt; MM 0.4% x 5,900 = 23.60. The step is the whole 0.1 (one
/// increment), fee 0.1% x 5,900 = 5.90. At the band (59,000 x 0.98 = 57,820.00) it could lose 0.1 x 1,180 = 118 against
/// the mark, more than the equity of 20: by the equity alone its limit is 59,000 - 20 / 0.1 = 58,800.00, so the fund is
/// asked what it can absorb.
/// </summary>
public sealed class LiquidationLastPositionTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";
    private const string FirstOrder = "liq-acc-1-1-s1-1";

    /// <summary>
    /// A fund of 50: the limit may lose 20 + 50 = 70, 59,000 - 70 / 0.1 = 58,300.00. The book fills there, the worst it
    /// may: slippage 0.1 x 700 = 70 takes the whole equity share, so no fee; the account is left at 120 - 0.1 x 1,700 =
    /// -50, which the fund pays in full (50 - 50 = 0). Before, the order went out at the band: a fill at 58,300 with its
    /// fee of 5.90 left -55.90, of which 5.90 was uncovered; at 57,820, 53.90 more.
    /// </summary>
    [Fact]
    public void A_last_step_filled_at_its_bounded_limit_leaves_a_deficit_the_fund_pays_in_full_and_no_fee()
    {
        var venue = VenueProbe();
        SeedFund(50m);
        OpenLastPosition();

        MoveBtc(59_000m);

        Assert.Equal(new LiquidationOrderIssued(Liquidation, "acc-1", FirstOrder, Btc, OrderSide.Sell, 0.1m, 58_300m), venue.ExpectMsg<LiquidationOrderIssued>());
        Fill(FirstOrder, 58_300m);

        AwaitCompleted(Liquidation);
        var history = History(Liquidation);
        var reported = Assert.Single(history.Steps.OfType<LiquidationOrderReported>());
        Assert.Equal((0.1m, 58_300m, 0m), (reported.FilledQuantity, reported.AveragePrice, reported.FeeAmount));
        var cover = Assert.Single(history.Steps.OfType<LiquidationCoverReceived>());
        Assert.Equal((50m, 0m), (cover.CoveredUsd, cover.UncoveredUsd));
        Assert.DoesNotContain("uncovered", Assert.IsType<LiquidationCompleted>(history.Steps[^1]).Reason, StringComparison.Ordinal);
        AwaitAssert(() =>
        {
            var account = Account("acc-1");
            Assert.Equal([new CollateralBalance("USDT", 0m)], account.Balances);
            Assert.Empty(account.Positions);
            var fund = FundView();
            Assert.Equal(0m, fund.Balances["USDT"]);
            Assert.Equal([InsuranceFundMovementKind.Deposited, InsuranceFundMovementKind.DeficitCovered], fund.History.Select(h => h.Kind));
        });
    }

    /// <summary>
    /// The sell of 0.1 at limit 58,300.00 cannot fill below it: a report of a fill at 50,000 is corrupt. It was taken as
    /// the order's outcome: slippage 0.1 x (59,000 - 50,000) = 900 took the whole equity share of 20, so no fee, and the
    /// true report that followed (a fill at the mark, 59,000: slippage 0, fee 0.1% x 5,900 = 5.90 within the share) was
    /// ignored as not outstanding. Now the corrupt one is ignored and the true one charges the 5.90.
    /// </summary>
    [Fact]
    public void A_report_of_a_fill_worse_than_the_orders_limit_is_ignored_and_the_true_report_still_charges_the_fee()
    {
        var reported = CorruptReportThenTheTrueFill(0.1m, 50_000m);

        Assert.Equal((0.1m, 59_000m, 5.90m), (reported.FilledQuantity, reported.AveragePrice, reported.FeeAmount));
    }

    /// <summary>
    /// The sell of 0.1 cannot fill 0.0999999999: BTCUSDT gives no lot, so its lot is the default 1e-8 contract, and no
    /// matching engine fills a part of one. Taken as the order's outcome, it charged 0.1% x 0.0999999999 x 59,000 and
    /// left the true report (0.1 at 59,000: 5.90) ignored as not outstanding. Now it is ignored, the true one charges 5.90.
    /// </summary>
    [Fact]
    public void A_report_of_a_fill_off_the_instruments_lot_is_ignored_and_the_true_report_still_charges_the_fee()
    {
        var reported = CorruptReportThenTheTrueFill(0.0999999999m, 59_000m);

        Assert.Equal((0.1m, 59_000m, 5.90m), (reported.FilledQuantity, reported.AveragePrice, reported.FeeAmount));
    }

    /// <summary>
    /// The last position's sell of 0.1 at limit 58,300.00, reported first as <paramref name="filled"/> at
    /// <paramref name="price"/>, then filled at the mark, 59,000; the one report the liquidation took.
    /// </summary>
    private LiquidationOrderReported CorruptReportThenTheTrueFill(decimal filled, decimal price)
    {
        var venue = VenueProbe();
        SeedFund(50m);
        OpenLastPosition();
        MoveBtc(59_000m);
        var order = venue.ExpectMsg<LiquidationOrderIssued>();
        Assert.Equal((0.1m, 58_300m), (order.Quantity, order.LimitPrice));

        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, filled, price), TestActor);
        Fill(FirstOrder, 59_000m);

        AwaitCompleted(Liquidation);
        return Assert.Single(History(Liquidation).Steps.OfType<LiquidationOrderReported>());
    }

    /// <summary>
    /// acc-1 and acc-2 (the same account twice) reach their last step together with a fund of 50: whichever plans first
    /// has the 50 set aside for it (limit 58,300.00), so the other may count on none of it (58,800.00, by its equity
    /// alone). Counting the fund twice would let both lose 50 more than their equity, a deficit of 100 against 50.
    /// </summary>
    [Fact]
    public void Two_last_steps_at_once_never_count_on_the_same_fund_balance()
    {
        var venue = VenueProbe();
        SeedFund(50m);
        OpenLastPosition("acc-1");
        OpenLastPosition("acc-2");

        MoveBtc(59_000m);

        var orders = new[] { venue.ExpectMsg<LiquidationOrderIssued>(), venue.ExpectMsg<LiquidationOrderIssued>() };
        Assert.Equal(["acc-1", "acc-2"], orders.Select(o => o.AccountId).Order(StringComparer.Ordinal));
        Assert.Equal([58_300m, 58_800m], orders.Select(o => o.LimitPrice).Order());
    }

    /// <summary>
    /// No fund: the limit is 58,800.00 and the book fills none of it. The position is taken over: auto-deleveraged at its
    /// bankruptcy price, 59,000 - 20 / 0.1 = 58,800.00, against acc-b (short 0.6 at 60,000, in profit). acc-1 ends at
    /// 120 - 0.1 x 1,200 = 0, flat; acc-b at 2,000 + 0.1 x 1,200 = 2,120, short 0.5. Before, an unfilled step was
    /// followed by another at the band, for ever in a book that will not fill.
    /// </summary>
    [Fact]
    public void A_last_step_the_book_fills_none_of_is_taken_over_by_auto_deleveraging_at_the_bankruptcy_price()
    {
        var venue = VenueProbe();

        LastStepUnfilled(venue);

        AssertTakenOver(venue);
    }

    [Fact]
    public void A_coordinator_restarted_during_a_take_over_resumes_it_and_deleverages_once()
    {
        var venue = VenueProbe();
        LastStepUnfilled(venue);
        AwaitAssert(() => Assert.IsType<LiquidationOrderReported>(History(Liquidation).Steps[^1]));

        // The take-over is under way (its views are being collected on the stopped clock) when the coordinator stops.
        RestartCoordinator();

        AssertTakenOver(venue);
    }

    /// <summary>
    /// No fund and no counterparty: the take-over stalls, and the book is asked at the band (57,820.00), unbounded, so
    /// the liquidation still ends. Filled there: 120 - 0.1 x 2,180 - 5.90 = -103.90, of which the fund (holding only the
    /// fee of 5.90) pays 5.90; 98.00 is left uncovered, with no one to pass it on to.
    /// </summary>
    [Fact]
    public void A_take_over_with_no_counterparty_goes_back_to_the_book_at_the_band_and_the_liquidation_ends()
    {
        var venue = VenueProbe();
        OpenLastPosition();

        MoveBtc(59_000m);
        Assert.Equal(58_800m, venue.ExpectMsg<LiquidationOrderIssued>().LimitPrice);
        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, 0m, 0m), TestActor);

        LiquidationOrderIssued? second = null;
        AdvanceUntil(() => (second ??= venue.QueuedCount > 0 ? venue.ExpectMsg<LiquidationOrderIssued>() : null) is not null, TimeSpan.FromMilliseconds(100));
        Assert.Equal(new LiquidationOrderIssued(Liquidation, "acc-1", "liq-acc-1-1-s2-1", Btc, OrderSide.Sell, 0.1m, 57_820m), second);
        Assert.Single(History(Liquidation).Steps.OfType<LiquidationStalled>());
        Fill(second!.OrderId, 57_820m);

        AwaitCompleted(Liquidation);
        var cover = Assert.Single(History(Liquidation).Steps.OfType<LiquidationCoverReceived>());
        Assert.Equal((5.90m, 98.00m), (cover.CoveredUsd, cover.UncoveredUsd));
    }

    /// <summary>acc-b short 0.6 at 60,000 with 2,000 USDT; acc-1's last step goes out at 58,800.00 and fills nothing.</summary>
    private void LastStepUnfilled(TestProbe venue)
    {
        OpenShort("acc-b", 2_000m, 0.6m, 60_000m);
        OpenLastPosition();

        MoveBtc(59_000m);
        Assert.Equal(new LiquidationOrderIssued(Liquidation, "acc-1", FirstOrder, Btc, OrderSide.Sell, 0.1m, 58_800m), venue.ExpectMsg<LiquidationOrderIssued>());
        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, 0m, 0m), TestActor);
    }

    private void AssertTakenOver(TestProbe venue)
    {
        var notices = AdlNoticesUntil(venue, heard => heard.Count == 2);
        Assert.Equal(
        [
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Buy, 0.1m, 58_800m, $"{Liquidation}:adl-1:acc-b"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 0.1m, 58_800m, $"{Liquidation}:adl-1:acc-b:bankrupt"),
        ], notices);
        AwaitCompleted(Liquidation);
        var history = History(Liquidation);
        Assert.Equal(58_800m, Assert.Single(history.Steps.OfType<AutoDeleverageExecuted>()).BankruptcyPrice);
        Assert.Empty(history.Steps.OfType<LiquidationCoverRequested>());
        AwaitAssert(() =>
        {
            Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
            Assert.Empty(Account("acc-1").Positions);
            Assert.Equal([new CollateralBalance("USDT", 2_120m)], Account("acc-b").Balances);
            Assert.Equal([new Position(Btc, -0.5m, 60_000m)], Account("acc-b").Positions);
        });
        venue.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    private void OpenLastPosition(string account = "acc-1")
    {
        Deposit(account, 120m);
        Trade(account, OrderSide.Buy, 0.1m, 60_000m);
    }

    /// <summary>As the venue does: the fill to the account first (acknowledged), then the report to the coordinator.</summary>
    private void Fill(string orderId, decimal price)
    {
        Trade("acc-1", OrderSide.Sell, 0.1m, price, liquidation: true, orderId: orderId);
        Coordinator.Tell(new LiquidationOrderReport(orderId, 0.1m, price), TestActor);
    }
}
