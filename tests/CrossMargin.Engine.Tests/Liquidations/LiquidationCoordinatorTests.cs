using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// End to end: accounts trade, the mark crashes, the account reports its breach, the coordinator liquidates it.
/// Hand figures for the standard account (1,000 USDT, long 1 BTCUSDT at 60,000; Binance brackets: below 50,000 of
/// notional MM 0.4%, from 50,000 MM 0.5% less 50), BTC at 59,230: equity 1,000 - 770 = 230 &lt; MM 0.005 x 59,230 - 50 =
/// 246.15, so it is liquidated. The planner's trial of 25% (0.75 contract, 44,422.5 of notional, MM 0.4% = 177.69)
/// releases R = (246.15 - 177.69) / 0.25 = 273.84 per unit of fraction; f = (1.05 x 246.15 - 230) / (1.05 x 273.84 - 0.001 x
/// 59,230) = 28.4575 / 228.302 = 0.1246, so 0.2 contract after rounding up to 0.1 (also the 25% step cap, 0.25 floored
/// to 0.1). Limit: 59,230 x 0.98 = 58,045.40. Fee: 0.1% of 0.2 x 59,230 = 11.846, to the cent 11.84 USDT.
/// After the fill at 59,230: balance 1,000 - 0.2 x 770 - 11.84 = 834.16; 0.8 left, unrealised -616: equity 218.16;
/// notional 47,384, MM 0.4% = 189.536, stop 1.05 x 189.536 = 199.0128 &lt;= 218.16: done.
/// </summary>
public sealed class LiquidationCoordinatorTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";
    private const string FirstOrder = "liq-acc-1-1-s1-1";

    [Fact]
    public void A_breached_account_has_its_orders_cancelled_then_one_reduce_only_IOC_within_the_band_and_stops_above_the_buffer_with_the_fee_moved_to_the_fund()
    {
        var venue = VenueProbe();
        OpenLong("acc-1");
        ToAccount("acc-1", (id, seq) => new AcceptOrder(id, Venue, seq, "resting", Btc, OrderSide.Buy, 0.5m, 55_000m));

        MoveBtc(59_230m);

        Assert.Equal(new LiquidationOrderIssued(Liquidation, "acc-1", FirstOrder, Btc, OrderSide.Sell, 0.2m, 58_045.40m), venue.ExpectMsg<LiquidationOrderIssued>());
        Assert.Empty(Account("acc-1").OpenOrders);
        Fill("acc-1", FirstOrder, OrderSide.Sell, 0.2m, 59_230m);

        AwaitCompleted(Liquidation);
        var history = History(Liquidation);
        Assert.Equal([typeof(LiquidationStarted), typeof(LiquidationStepPlanned), typeof(LiquidationOrderReported), typeof(LiquidationCompleted)],
            history.Steps.Select(s => s.GetType()));
        var reported = Assert.IsType<LiquidationOrderReported>(history.Steps[2]);
        Assert.Equal((0.2m, 59_230m, "USDT", 11.84m, 11.84m), (reported.FilledQuantity, reported.AveragePrice, reported.FeeAsset, reported.FeeAmount, reported.FeeUsd));
        AwaitAssert(() =>
        {
            var account = Account("acc-1");
            Assert.Equal([new CollateralBalance("USDT", 834.16m)], account.Balances);
            Assert.Equal([new Position(Btc, 0.8m, 60_000m)], account.Positions);
            Assert.Equal(218.16m, account.Margin!.EquityUsd);
            Assert.Equal(11.84m, FundView().Balances["USDT"]);
        });
        venue.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    /// <summary>
    /// With <c>TakeOverAfterUnfilledSteps</c> 3: the standard account (equity 230 at 59,230) in a book that fills nothing, even at the band: after three unfilled
    /// steps of 0.2 at 58,045.40 its position is taken over, auto-deleveraged at its bankruptcy price 59,230 - 230 / 1 =
    /// 59,000 against acc-b (short 0.6, ranked first) and acc-c (short 2, gives 0.4). acc-1 ends at 1,000 - 1,000 = 0,
    /// flat; acc-b at 2,000 + 0.6 x 1,000 = 2,600, acc-c at 100,000 + 0.4 x 1,000 = 100,400 with 1.6 short left.
    /// Before, the steps went on for ever.
    /// </summary>
    [Fact]
    public void A_solvent_account_whose_steps_the_book_fills_none_of_three_times_in_a_row_is_taken_over_when_so_configured()
    {
        RestartCoordinator(takeOverAfterUnfilledSteps: 3);
        var venue = VenueProbe();
        OpenShort("acc-b", 2_000m, 0.6m, 60_000m);
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");

        MoveBtc(59_230m);
        ReportUnfilledBandSteps(venue, 3);

        var notices = AdlNoticesUntil(venue, heard => heard.Count == 4);
        AssertNotices(Acc1SoldAt59000(("acc-b", 0.6m), ("acc-c", 0.4m)), notices);
        AwaitCompleted(Liquidation);
        AwaitAssert(() =>
        {
            Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
            Assert.Empty(Account("acc-1").Positions);
            Assert.Equal([new CollateralBalance("USDT", 2_600m)], Account("acc-b").Balances);
            Assert.Equal([new CollateralBalance("USDT", 100_400m)], Account("acc-c").Balances);
            Assert.Equal([new Position(Btc, -1.6m, 60_000m)], Account("acc-c").Positions);
        });
    }

    /// <summary>
    /// By default a solvent account is never taken over: the same book that fills nothing gets a sixth step after five
    /// unfilled ones, and nobody is deleveraged.
    /// </summary>
    [Fact]
    public void A_solvent_account_whose_steps_the_book_fills_none_of_keeps_asking_the_book_by_default()
    {
        var venue = VenueProbe();
        OpenShort("acc-b", 2_000m, 0.6m, 60_000m);
        OpenLong("acc-1");

        MoveBtc(59_230m);
        ReportUnfilledBandSteps(venue, 5);

        Assert.Equal("liq-acc-1-1-s6-1", venue.ExpectMsg<LiquidationOrderIssued>().OrderId);
        Assert.Empty(History(Liquidation).Steps.OfType<AutoDeleverageExecuted>());
        Assert.Equal([new Position(Btc, -0.6m, 60_000m)], Account("acc-b").Positions);
    }

    [Fact]
    public void A_coordinator_restarted_mid_liquidation_resumes_it_and_charges_the_fee_once()
    {
        var venue = VenueProbe();
        OpenLong("acc-1");
        MoveBtc(59_230m);
        Assert.Equal(FirstOrder, venue.ExpectMsg<LiquidationOrderIssued>().OrderId);

        RestartCoordinator();
        Fill("acc-1", FirstOrder, OrderSide.Sell, 0.2m, 59_230m);

        AwaitCompleted(Liquidation);
        Assert.Equal(4, History(Liquidation).Steps.Count);
        AwaitAssert(() =>
        {
            Assert.Equal([new CollateralBalance("USDT", 834.16m)], Account("acc-1").Balances);
            var fund = FundView();
            Assert.Equal(11.84m, fund.Balances["USDT"]);
            Assert.Single(fund.History);
        });

        // And once more: the completed liquidation stays completed, nothing is sent again.
        RestartCoordinator();
        Assert.Equal(LiquidationStatus.Completed, History(Liquidation).Status);
        venue.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(11.84m, FundView().Balances["USDT"]);
    }

    /// <summary>
    /// The standard liquidation, but the venue reports nothing of the first order within the order timeout: it is expired
    /// and the next step sells another 0.2. Its fill (0.2 at 59,230) and report then arrive: the fee of 0.1% x 0.2 x 59,230
    /// = 11.84 is charged and paid to the fund as for any fill (the second step reported unfilled, the account ends at
    /// 834.16 USDT, equity 218.16, done). Before, the late report was ignored ("not outstanding"): the forced fill paid no
    /// fee, 846 USDT left with the account and nothing in the fund.
    /// </summary>
    [Fact]
    public void A_fill_reported_after_its_order_expired_still_pays_the_liquidation_fee()
    {
        var venue = FirstStepIssued();

        AdvanceUntil(() => History(Liquidation).Steps.Any(s => s is LiquidationOrdersExpired), TimeSpan.FromMinutes(1));
        Assert.Equal("liq-acc-1-1-s2-1", venue.ExpectMsg<LiquidationOrderIssued>().OrderId);
        Fill("acc-1", FirstOrder, OrderSide.Sell, 0.2m, 59_230m);
        Coordinator.Tell(new LiquidationOrderReport("liq-acc-1-1-s2-1", 0m, 0m), TestActor);

        AwaitCompleted(Liquidation);
        AssertLateFeeCharged();
    }

    /// <summary>
    /// The first order's fill reaches the account (1,000 - 0.2 x 770 = 846 USDT, equity 230.00 at 59,230 ... the 0.8 left at
    /// MM 189.536: done) but its report does not come within the order timeout: the order is expired, and the evaluation
    /// that follows completes the liquidation. The report then arrives: the fee of 11.84 is charged to the account (834.16)
    /// and paid to the fund, as the liquidation's last event. Before, it was ignored: the fill paid no fee.
    /// </summary>
    [Fact]
    public void A_fill_reported_after_its_liquidation_completed_still_pays_the_liquidation_fee()
    {
        FirstStepIssued();
        Trade("acc-1", OrderSide.Sell, 0.2m, 59_230m, liquidation: true, orderId: FirstOrder);

        AdvanceUntil(() => History(Liquidation).Status == LiquidationStatus.Completed, TimeSpan.FromMinutes(1));
        Assert.Contains(History(Liquidation).Steps, s => s is LiquidationOrdersExpired);
        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, 0.2m, 59_230m), TestActor);

        AssertLateFeeCharged();
        Assert.IsType<LiquidationOrderReported>(History(Liquidation).Steps[^1]);
    }

    /// <summary>The standard account breached at 59,230, its first step's order (0.2 at 58,045.40) issued; the venue's probe.</summary>
    private TestProbe FirstStepIssued()
    {
        var venue = VenueProbe();
        OpenLong("acc-1");
        MoveBtc(59_230m);
        Assert.Equal(FirstOrder, venue.ExpectMsg<LiquidationOrderIssued>().OrderId);
        return venue;
    }

    /// <summary>The first order's late report of 0.2 charged the fee of 11.84: the account has 834.16 USDT, the fund 11.84.</summary>
    private void AssertLateFeeCharged() =>
        AwaitAssert(() =>
        {
            var late = Assert.Single(History(Liquidation).Steps.OfType<LiquidationOrderReported>(), r => r.OrderId == FirstOrder);
            Assert.Equal((0.2m, 11.84m), (late.FilledQuantity, late.FeeAmount));
            Assert.Equal([new CollateralBalance("USDT", 834.16m)], Account("acc-1").Balances);
            Assert.Equal(11.84m, FundView().Balances["USDT"]);
        });

    [Fact]
    public void A_halted_instrument_gets_no_liquidation_order_until_it_is_resumed()
    {
        var venue = VenueProbe();
        OpenLong("acc-1");
        Coordinator.Tell(new HaltLiquidation(Btc), TestActor);
        Assert.Equal([Btc], ExpectMsg<HaltedInstruments>().Symbols);

        MoveBtc(59_230m);

        AwaitAssert(() => Assert.Contains(History(Liquidation).Steps, s => s is LiquidationStepPlanned { Outcome: LiquidationPlanOutcome.Throttled }));
        venue.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Coordinator.Tell(new ResumeLiquidation(Btc), TestActor);
        Assert.Empty(ExpectMsg<HaltedInstruments>().Symbols);
        Assert.Equal(new LiquidationOrderIssued(Liquidation, "acc-1", "liq-acc-1-1-s2-1", Btc, OrderSide.Sell, 0.2m, 58_045.40m),
            venue.ExpectMsg<LiquidationOrderIssued>());
    }

    /// <summary>
    /// acc-1 bankrupt at 58,000 with an empty fund and no short at all: every backstop stalls. The book is tried every
    /// interval (one step each, not one after another), but the fund and the search for counterparties only after 1, 2, 4,
    /// 8 ... intervals: over 20 s, four or five backstops (each a fund request and a stall), not twenty as before.
    /// </summary>
    [Fact]
    public void A_backstop_that_keeps_stalling_is_tried_less_and_less_often_while_the_book_is_tried_every_interval()
    {
        var venue = VenueProbe();
        OpenLong("acc-1");
        MoveBtc(58_000m);

        var steps = 0;
        for (var i = 0; i < 200; i++)
        {
            while (venue.QueuedCount > 0)
            {
                var order = venue.ExpectMsg<LiquidationOrderIssued>();
                steps++;
                Coordinator.Tell(new LiquidationOrderReport(order.OrderId, 0m, 0m), TestActor);
            }

            AdvanceAndSettle(TimeSpan.FromMilliseconds(100));
        }

        var history = History(Liquidation).Steps;
        Assert.InRange(history.OfType<LiquidationStalled>().Count(), 3, 6);
        Assert.InRange(history.OfType<LiquidationCoverRequested>().Count() - history.OfType<LiquidationStalled>().Count(), 0, 1); // the last may be in flight
        Assert.InRange(steps, 10, 21);
    }

    /// <summary>
    /// As above, but 100 USDT reaches the fund every second: each backstop pays something, so none counts as a stall in a
    /// row and the fund is asked again every interval (not after 1, 2, 4 ... intervals) while it keeps paying.
    /// </summary>
    [Fact]
    public void A_backstop_in_which_the_fund_paid_something_does_not_back_off()
    {
        var venue = VenueProbe();
        SeedFund(100m);
        OpenLong("acc-1");
        MoveBtc(58_000m);

        for (var i = 0; i < 80; i++)
        {
            while (venue.QueuedCount > 0)
            {
                Coordinator.Tell(new LiquidationOrderReport(venue.ExpectMsg<LiquidationOrderIssued>().OrderId, 0m, 0m), TestActor);
            }

            if (i % 10 == 5)
            {
                Fund.Tell(new DepositToInsuranceFund($"top-up-{i}", "USDT", 100m), TestActor);
                ExpectMsg<InsuranceFundDeposited>();
            }

            AdvanceAndSettle(TimeSpan.FromMilliseconds(100));
        }

        var paid = History(Liquidation).Steps.OfType<LiquidationCoverReceived>().Count(c => c.CoveredUsd > 0);
        Assert.InRange(paid, 6, 9); // backing off as after stalls: 3 or 4
    }

    /// <summary>
    /// A halt is what an operator does when an instrument's prices cannot be trusted (a broken oracle): a deficit
    /// measured at those prices is not paid by the fund, nor handed to other accounts by auto-deleveraging, until the
    /// instrument is resumed. Then it goes as in the test below: the IOC fills nothing and the fund pays the 500.
    /// </summary>
    [Fact]
    public void A_bankrupt_accounts_deficit_in_a_halted_instrument_waits_for_the_resume_before_the_fund_or_ADL_touch_it()
    {
        var venue = VenueProbe();
        SeedFund(2_000m);
        OpenShort("acc-b", 2_000m, 0.6m, 60_000m);
        OpenLong("acc-1");
        Coordinator.Tell(new HaltLiquidation(Btc), TestActor);
        ExpectMsg<HaltedInstruments>();

        MoveBtc(58_500m);
        AssertDeficitUntouchedForFiveIntervals(venue, Liquidation, 2_000m);

        Coordinator.Tell(new ResumeLiquidation(Btc), TestActor);
        ExpectMsg<HaltedInstruments>();
        AssertFundPaysAfterAnUnfilledOrder(venue, 1_500m);
    }

    /// <summary>
    /// BTC at 58,500: equity 1,000 - 1,500 = -500, bankrupt. Before any order, the fund (2,000 USDT) pays the deficit of
    /// 500 USDT: the account's balance becomes 1,500 and its equity 0. Only then does the book get the first IOC (0.2 at
    /// 58,500 x 0.98 = 57,330; no fee, as the cap is the equity left, none), and liquidation goes on.
    /// </summary>
    [Fact]
    public void A_bankrupt_account_has_its_deficit_covered_by_the_fund_before_the_book_is_asked()
    {
        var venue = VenueProbe();
        SeedFund(2_000m);
        OpenLong("acc-1");

        MoveBtc(58_500m);
        Assert.Equal(new LiquidationOrderIssued(Liquidation, "acc-1", FirstOrder, Btc, OrderSide.Sell, 0.2m, 57_330m), venue.ExpectMsg<LiquidationOrderIssued>());
        var steps = History(Liquidation).Steps;
        var beforeFirstOrder = steps.TakeWhile(s => s is not LiquidationStepPlanned { Orders.Count: > 0 });
        Assert.Contains(beforeFirstOrder, s => s is LiquidationCoverReceived { CoveredUsd: 500m });
        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, 0m, 0m), TestActor);

        Assert.Equal(new LiquidationOrderIssued(Liquidation, "acc-1", "liq-acc-1-1-s2-1", Btc, OrderSide.Sell, 0.2m, 57_330m),
            venue.ExpectMsg<LiquidationOrderIssued>());
        var account = Account("acc-1");
        Assert.Equal([new CollateralBalance("USDT", 1_500m)], account.Balances);
        Assert.Equal(0m, account.Margin!.EquityUsd);
        var fund = FundView();
        Assert.Equal(1_500m, fund.Balances["USDT"]);
        Assert.Equal(new InsuranceFundMovement(InsuranceFundMovementKind.DeficitCovered, "liq-acc-1-1:cover-1", "USDT", 500m, 500m, "acc-1", Liquidation,
            fund.History[1].Time), fund.History[1]);
        var received = Assert.Single(History(Liquidation).Steps.OfType<LiquidationCoverReceived>());
        Assert.Equal((500m, 0m), (received.CoveredUsd, received.UncoveredUsd));
    }

    /// <summary>
    /// As above, with 0.01 BTC in the fund beside its 2,000 USDT. The account's collateral rules count USDT in full and BTC
    /// at 5% off, so the 500 deficit is paid in USDT and the BTC stays: paid in BTC (first in ordinal order), it would
    /// have raised the account's equity by 475 only.
    /// </summary>
    [Fact]
    public void A_bankrupt_accounts_deficit_is_paid_in_the_asset_its_collateral_rules_count_best()
    {
        var venue = VenueProbe();
        SeedFund(2_000m);
        Fund.Tell(new DepositToInsuranceFund("seed-btc", "BTC", 0.01m), TestActor);
        ExpectMsg<InsuranceFundDeposited>();
        OpenLong("acc-1");

        MoveBtc(58_500m);
        venue.ExpectMsg<LiquidationOrderIssued>();

        var received = Assert.Single(History(Liquidation).Steps.OfType<LiquidationCoverReceived>());
        Assert.Equal([new InsuranceFundPayment("USDT", 500m, 500m)], received.Payments);
        var fund = FundView();
        Assert.Equal((0.01m, 1_500m), (fund.Balances["BTC"], fund.Balances["USDT"]));
        Assert.Equal([new CollateralBalance("USDT", 1_500m)], Account("acc-1").Balances);
    }

    /// <summary>
    /// BTC at 58,000: acc-1's equity is 1,000 - 2,000 = -1,000, bankrupt: before any order, the fund (400 USDT) pays
    /// what it has and leaves 600 uncovered, which auto-deleveraging passes on while the position is still there.
    /// Bankruptcy price of the long: equity -600 (1,400 USDT, unrealised -2,000), P = 58,000 + 600 / (1 x 1 x 1) =
    /// 58,600. Counterparties (shorts): acc-b (2,000 USDT, short 0.6 at 60,000): profit 1,200 / 36,000 =
    /// 3.33%, leverage 34,800 / 3,200 = 10.875, score 0.3625; acc-c (100,000 USDT, short 2): 4,000 / 120,000 x 116,000 /
    /// 104,000 = 0.0372. So acc-b gives its whole 0.6 and acc-c 0.4, both at 58,600: acc-b's balance 2,000 + 0.6 x 1,400 =
    /// 2,840, acc-c's 100,000 + 0.4 x 1,400 = 100,560 with 1.6 short left, acc-1's 1,400 - 1,400 = 0, flat: done.
    /// </summary>
    [Fact]
    public void A_fund_too_small_auto_deleverages_the_most_profitable_most_leveraged_shorts_at_the_bankruptcy_price()
    {
        var venue = VenueProbe();
        SeedFund(400m);
        OpenShort("acc-b", 2_000m, 0.6m, 60_000m);
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(venue, heard => heard.Count == 4);

        AssertNotices(
        [
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Buy, 0.6m, 58_600m, $"{Liquidation}:adl-1:acc-b"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 0.6m, 58_600m, $"{Liquidation}:adl-1:acc-b:bankrupt"),
            new AutoDeleveraged(Liquidation, "acc-c", Btc, OrderSide.Buy, 0.4m, 58_600m, $"{Liquidation}:adl-1:acc-c"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 0.4m, 58_600m, $"{Liquidation}:adl-1:acc-c:bankrupt"),
        ], notices);
        AwaitCompleted(Liquidation);
        AwaitAssert(() =>
        {
            Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
            Assert.Empty(Account("acc-1").Positions);
            Assert.Equal([new CollateralBalance("USDT", 2_840m)], Account("acc-b").Balances);
            Assert.Empty(Account("acc-b").Positions);
            Assert.Equal([new CollateralBalance("USDT", 100_560m)], Account("acc-c").Balances);
            Assert.Equal([new Position(Btc, -1.6m, 60_000m)], Account("acc-c").Positions);
        });
        var fund = FundView();
        Assert.Equal(0m, fund.Balances["USDT"]);
        // The round passed the whole shortfall on: settled at the end, nothing left uncovered.
        Assert.Equal([InsuranceFundMovementKind.Deposited, InsuranceFundMovementKind.DeficitCovered, InsuranceFundMovementKind.AutoDeleverageTriggered,
            InsuranceFundMovementKind.ShortfallSettled], fund.History.Select(h => h.Kind));
        Assert.Equal((600m, 600m), (fund.History[2].Amount, fund.History[3].Amount));
        var adl = Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageExecuted>());
        Assert.Equal(58_600m, adl.BankruptcyPrice);
        Assert.Equal(0.3625m, Math.Round(adl.Fills[0].Score, 4));
    }

    /// <summary>
    /// Two bankrupt longs at once (acc-1 and acc-2, each 1,000 USDT long 1 at 60,000; BTC at 58,000: equity -1,000 each),
    /// an empty fund, so both auto-deleverage in the same interval from views collected before either round executed.
    /// Bankruptcy price 58,000 + 1,000 = 59,000 for both. The shorts: acc-b 0.6 (score 0.3625 as above, ranked first),
    /// acc-c 2. The first round takes acc-b's 0.6 and 0.4 of acc-c's; the second must not take acc-b's 0.6 again (its
    /// view still shows it, the fill not yet applied), which would have made acc-b long 0.6: it takes 1 from acc-c. So
    /// acc-b ends flat with 2,000 + 0.6 x 1,000 = 2,600, acc-c short 0.6 with 100,000 + 1.4 x 1,000 = 101,400, and each
    /// bankrupt account flat at 0.
    /// </summary>
    [Fact]
    public void Concurrent_auto_deleveraging_never_takes_a_counterpartys_position_twice_nor_flips_it()
    {
        var venue = VenueProbe();
        OpenShort("acc-b", 2_000m, 0.6m, 60_000m);
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");
        OpenLong("acc-2");

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(venue, heard => heard.Where(n => n.AccountId is "acc-1" or "acc-2").Sum(n => n.Quantity) >= 2m);

        AwaitCompleted(Liquidation);
        AwaitCompleted("liq-acc-2-1");
        Assert.Equal(0.6m, notices.Where(n => n.AccountId == "acc-b").Sum(n => n.Quantity));
        Assert.Equal(1.4m, notices.Where(n => n.AccountId == "acc-c").Sum(n => n.Quantity));
        AwaitAssert(() =>
        {
            Assert.Empty(Account("acc-b").Positions);
            Assert.Equal([new CollateralBalance("USDT", 2_600m)], Account("acc-b").Balances);
            Assert.Equal([new Position(Btc, -0.6m, 60_000m)], Account("acc-c").Positions);
            Assert.Equal([new CollateralBalance("USDT", 101_400m)], Account("acc-c").Balances);
            foreach (var bankrupt in new[] { "acc-1", "acc-2" })
            {
                Assert.Empty(Account(bankrupt).Positions);
                Assert.Equal([new CollateralBalance("USDT", 0m)], Account(bankrupt).Balances);
            }
        });
    }

    /// <summary>
    /// acc-x (1,000 USDT, short 1 BTC at 60,000) breaches at 60,900 and its first IOC, a buy, is out at the venue. BTC
    /// then falls to 58,000: acc-1 goes bankrupt with an empty fund, and acc-x, now 2,000 in profit at ~19x, would rank
    /// first for auto-deleveraging. Its short must not be taken while its own buy may still fill (that would leave it
    /// long): acc-c gives the whole 1 instead, and acc-x's buy, filled late, only reduces its short.
    /// </summary>
    [Fact]
    public void Auto_deleveraging_leaves_alone_a_position_whose_own_liquidation_order_is_still_out()
    {
        var venue = VenueProbe();
        OpenShort("acc-x", 1_000m, 1m, 60_000m);
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");

        MoveBtc(60_900m);
        var outstanding = venue.ExpectMsg<LiquidationOrderIssued>();
        Assert.Equal(("acc-x", OrderSide.Buy), (outstanding.AccountId, outstanding.Side));

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(venue, heard => heard.Where(n => n.AccountId == "acc-1").Sum(n => n.Quantity) >= 1m);

        Assert.DoesNotContain(notices, n => n.AccountId == "acc-x");
        Assert.Equal(1m, notices.Where(n => n.AccountId == "acc-c").Sum(n => n.Quantity));
        Fill("acc-x", outstanding.OrderId, OrderSide.Buy, outstanding.Quantity, 58_100m);
        AwaitAssert(() => Assert.Equal([new Position(Btc, outstanding.Quantity - 1m, 60_000m)], Account("acc-x").Positions));
    }

    /// <summary>
    /// acc-1 bankrupt at 58,000 (equity -1,000, bankruptcy price 59,000) with an empty fund and one counterparty, acc-b
    /// (short 0.6 at 60,000 on 2,000 USDT). The first round's execution to acc-b is refused: acc-1's side (sell 0.6) is
    /// then never sent, so neither applies. Forgotten as refused, acc-b's 0.6 is still there for the next round, which
    /// takes it at 59,000 and leaves acc-1 long 0.4; had the refused fill stayed pending, acc-b's views would never show
    /// it, the coordinator would take acc-b as flat and the second round would stall. Before the bankrupt side waited for
    /// the counterparty's, acc-1's sell 0.6 applied alone, and the books no longer netted. Only the second round is
    /// announced: before, the refused one was too, when it was recorded.
    /// </summary>
    [Fact]
    public void An_auto_deleverage_execution_an_account_refuses_is_not_counted_as_pending_for_it_and_its_other_side_is_never_sent()
    {
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new RefusingRegion(Region, "liq-acc-1-1:adl-1:acc-b"))));
        var venue = VenueProbe();
        OpenShort("acc-b", 2_000m, 0.6m, 60_000m);
        OpenLong("acc-1");

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(venue, heard => heard.Where(n => n.AccountId == "acc-1").Sum(n => n.Quantity) >= 0.6m);

        Assert.Equal(Acc1SoldAt59000(2, ("acc-b", 0.6m)), notices);
        Assert.Equal(2, History(Liquidation).Steps.OfType<AutoDeleverageExecuted>().Count());
        AwaitAssert(() =>
        {
            Assert.Equal([new Position(Btc, 0.4m, 60_000m)], Account("acc-1").Positions);
            Assert.Empty(Account("acc-b").Positions);
        });
    }

    /// <summary>
    /// As above, but acc-b applies its side and acc-1 refuses its own (with a reason other than a changed position: the
    /// refusal would recur). acc-1's side is not announced and its sequence is voided (so its next execution from the
    /// coordinator follows on), and it keeps its long 1. acc-b's side is announced and, since session 29, reversed (it
    /// stood until then, and the books no longer netted): acc-b sells 0.6 back at 59,000, short 0.6 at 59,000 with 2,000 +
    /// 0.6 x 1,000 = 2,600 USDT, its equity at 58,000 (2,600 + 600 = 3,200) what it was (2,000 + 0.6 x 2,000). No second
    /// round is priced in BTCUSDT (it would meet the same refusal) until an operator resumes it.
    /// </summary>
    [Fact]
    public void A_bankrupt_side_refused_after_its_counterparty_applied_is_not_announced_its_sequence_is_voided_and_the_counterpartys_side_reversed()
    {
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new RefusingRegion(Region, "liq-acc-1-1:adl-1:acc-b:bankrupt"))));
        var adl = AdlProbe();
        OpenShort("acc-b", 2_000m, 0.6m, 60_000m);
        OpenLong("acc-1");

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Count >= 2);

        AwaitAssert(() => Assert.Equal(1, Account("acc-1").HighestOf(LiquidationCoordinator.AdlSource)));
        adl.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(
        [
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Buy, 0.6m, 59_000m, $"{Liquidation}:adl-1:acc-b"),
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Sell, 0.6m, 59_000m, $"{Liquidation}:adl-1:acc-b:reversed"),
        ], notices);
        Assert.Equal([new Position(Btc, -0.6m, 59_000m)], Account("acc-b").Positions);
        Assert.Equal([new CollateralBalance("USDT", 2_600m)], Account("acc-b").Balances);
        Assert.Equal([new Position(Btc, 1m, 60_000m)], Account("acc-1").Positions);
        Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageExecuted>());
    }

    /// <summary>
    /// As above, then the coordinator restarts behind the same refusal. The side refused for good is not sent again: the
    /// next coordinator sends acc-b's side and its reversal again (duplicates) and, in acc-1's side's place, its void (a
    /// duplicate too), so acc-1 is never sent an execution it would only refuse again. Before, every restart sent it again, and the refusal
    /// was logged as an error again each time.
    /// </summary>
    [Fact]
    public void A_bankrupt_side_refused_for_good_is_not_sent_again_after_a_restart()
    {
        const string side = "liq-acc-1-1:adl-1:acc-b:bankrupt";
        var refusing = Sys.ActorOf(Props.Create(() => new RefusingRegion(Region, side)));
        RestartCoordinator(refusing);
        var adl = AdlProbe();
        OpenShort("acc-b", 2_000m, 0.6m, 60_000m);
        OpenLong("acc-1");
        MoveBtc(58_000m);
        AdlNoticesUntil(adl, heard => heard.Count >= 2);
        AwaitAssert(() => Assert.Equal(1, Account("acc-1").HighestOf(LiquidationCoordinator.AdlSource)));

        var sent = CreateTestProbe("sent");
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new SendWatchingRegion(refusing, sent.Ref))));

        var ids = new List<string>();
        AdvanceUntil(() =>
        {
            while (sent.QueuedCount > 0)
            {
                ids.Add(sent.ExpectMsg<SendWatchingRegion.Sent>().Command.MessageId);
            }

            return ids.Contains(side + ":void");
        }, TimeSpan.FromMilliseconds(100));

        Assert.Contains("liq-acc-1-1:adl-1:acc-b", ids);
        Assert.Contains("liq-acc-1-1:adl-1:acc-b:reversed", ids);
        Assert.DoesNotContain(side, ids);
        Assert.Equal([new Position(Btc, 1m, 60_000m)], Account("acc-1").Positions);
        Assert.Equal(LiquidationStatus.Active, History(Liquidation).Status);
    }

    /// <summary>
    /// acc-1 bankrupt at 58,000 with an empty fund and no short anywhere, so there is nothing to deleverage against, in
    /// profit or not: the round stalls, and the book is tried. acc-b then sells 0.6 at 57,000 and the market falls to
    /// 56,000 (acc-b in profit) while the book still fills nothing: the backstop is tried again and acc-b's 0.6 is taken
    /// at the bankruptcy price, 56,000 + 3,000 = 59,000 (equity 1,000 - 4,000), after at most a few more unfilled steps.
    /// (Until session 19 acc-b held its short from the start, losing at 58,000, which made the stall; a position at a
    /// loss is now the last resort when the fund does not take over, so the stall needs no short at all.)
    /// </summary>
    [Fact]
    public void A_stalled_auto_deleverage_is_tried_again_later_not_replaced_by_endless_unfilled_steps()
    {
        var venue = VenueProbe();
        OpenLong("acc-1");

        MoveBtc(58_000m);
        AdvanceUntil(() => venue.QueuedCount > 0, TimeSpan.FromMilliseconds(50));
        Assert.Single(History(Liquidation).Steps.OfType<LiquidationStalled>());
        Coordinator.Tell(new LiquidationOrderReport(venue.ExpectMsg<LiquidationOrderIssued>().OrderId, 0m, 0m), TestActor);

        OpenShort("acc-b", 2_000m, 0.6m, 57_000m);
        MoveBtc(56_000m);
        var deleveraged = new List<AutoDeleveraged>();
        var unfilledSteps = 0;
        AdvanceUntil(() =>
        {
            while (venue.QueuedCount > 0)
            {
                switch (venue.ExpectMsg<object>())
                {
                    case LiquidationOrderIssued order:
                        unfilledSteps++;
                        Coordinator.Tell(new LiquidationOrderReport(order.OrderId, 0m, 0m), TestActor);
                        break;
                    case AutoDeleveraged notice:
                        deleveraged.Add(notice);
                        break;
                }
            }

            return deleveraged.Count == 2;
        }, TimeSpan.FromMilliseconds(100));

        Assert.Equal(
        [
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Buy, 0.6m, 59_000m, $"{Liquidation}:adl-1:acc-b"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 0.6m, 59_000m, $"{Liquidation}:adl-1:acc-b:bankrupt"),
        ], deleveraged);
        Assert.InRange(unfilledSteps, 0, 3);
    }

    [Fact]
    public void A_breach_report_redelivered_after_the_liquidation_ended_starts_none_and_a_newer_breach_starts_the_next()
    {
        OpenLong("acc-1");
        MoveBtc(59_230m);
        Fill("acc-1", FirstOrder, OrderSide.Sell, 0.2m, 59_230m);
        AwaitCompleted(Liquidation);
        // The market of the account's last figures the coordinator saw; the coordinator's clock reads two months before it.
        var endedOn = TestMarket.ValuationTime;

        // The report the queue hands over again after a failover: assessed at or before that market.
        Coordinator.Tell(new AccountBreached("acc-1", MarginStatus.Liquidation, 200m, 300m, 250m, endedOn - TimeSpan.FromSeconds(1)), TestActor);
        Coordinator.Tell(new AccountBreached("acc-1", MarginStatus.Liquidation, 200m, 300m, 250m, endedOn), TestActor);
        Assert.Equal(["liq-acc-1-1"], Liquidations());

        Coordinator.Tell(new AccountBreached("acc-1", MarginStatus.Liquidation, 200m, 300m, 250m, endedOn + TimeSpan.FromSeconds(1)), TestActor);
        AwaitAssert(() => Assert.Equal(["liq-acc-1-1", "liq-acc-1-2"], Liquidations()));
    }

    [Fact]
    public void Whether_a_breach_report_is_stale_is_decided_by_the_accounts_market_times_not_the_coordinators_clock()
    {
        // In a cluster the coordinator runs on another node, whose clock may be ahead of the account owner's: here it
        // reads a month after the market's valuation time (the other test above has it two months behind).
        Clock.Advance(TestMarket.ValuationTime.AddMonths(1) - Clock.GetUtcNow());
        OpenLong("acc-1");
        MoveBtc(59_230m);
        Fill("acc-1", FirstOrder, OrderSide.Sell, 0.2m, 59_230m);

        AwaitCompleted(Liquidation);
        Assert.Equal(TestMarket.ValuationTime, History(Liquidation).Steps.OfType<LiquidationCompleted>().Single().MarketTime);

        // A genuine new breach at the owner's next market starts the next liquidation, though its time is behind the
        // coordinator's clock; the old report still starts none.
        Coordinator.Tell(new AccountBreached("acc-1", MarginStatus.Liquidation, 200m, 300m, 250m, TestMarket.ValuationTime), TestActor);
        Assert.Equal(["liq-acc-1-1"], Liquidations());
        Coordinator.Tell(new AccountBreached("acc-1", MarginStatus.Liquidation, 200m, 300m, 250m, TestMarket.ValuationTime + TimeSpan.FromSeconds(1)), TestActor);
        AwaitAssert(() => Assert.Equal(["liq-acc-1-1", "liq-acc-1-2"], Liquidations()));
    }

    [Fact]
    public void A_breach_report_repeated_while_the_liquidation_runs_starts_no_second_one()
    {
        OpenLong("acc-1");
        MoveBtc(59_230m);
        AwaitAssert(() => Assert.Equal([Liquidation], Liquidations()));

        Coordinator.Tell(new AccountBreached("acc-1", MarginStatus.Liquidation, 200m, 300m, 250m, TestMarket.ValuationTime), TestActor);
        Coordinator.Tell(new AccountBreached("acc-1", MarginStatus.Liquidation, 200m, 300m, 250m, TestMarket.ValuationTime.AddHours(1)), TestActor);
        Assert.Equal([Liquidation], Liquidations());
    }

    private string[] Liquidations()
    {
        var probe = CreateTestProbe();
        Coordinator.Tell(GetLiquidations.Instance, probe.Ref);
        return probe.ExpectMsg<LiquidationList>().Liquidations.Select(l => l.LiquidationId).ToArray();
    }

    /// <summary>As the venue does: the fill to the account first (acknowledged), then the report to the coordinator.</summary>
    private void Fill(string account, string orderId, OrderSide side, decimal quantity, decimal price)
    {
        Trade(account, side, quantity, price, liquidation: true, orderId: orderId);
        Coordinator.Tell(new LiquidationOrderReport(orderId, quantity, price), TestActor);
    }

    // acc-1 (the standard long at 59,230) liquidated in a book that fills nothing: each of its first steps sells 0.2 at the
    // band's limit, 58,045.40, and is reported unfilled.
    private void ReportUnfilledBandSteps(TestProbe venue, int steps)
    {
        for (var step = 1; step <= steps; step++)
        {
            Assert.Equal(new LiquidationOrderIssued(Liquidation, "acc-1", $"liq-acc-1-1-s{step}-1", Btc, OrderSide.Sell, 0.2m, 58_045.40m),
                venue.ExpectMsg<LiquidationOrderIssued>());
            Coordinator.Tell(new LiquidationOrderReport($"liq-acc-1-1-s{step}-1", 0m, 0m), TestActor);
        }
    }
}
