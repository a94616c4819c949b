using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Liquidation;

/// <summary>
/// The planner on hand-computed standard-margin accounts. BTC at 57,000: a long of 10 BTCUSDT entered at 60,000 has
/// P&amp;L 10 x (57,000 - 60,000) = -30,000 and notional 570,000, in Binance's third bracket (MMR 1%, amount 1,300),
/// so MM = 5,700 - 1,300 = 4,400.
/// </summary>
public class LiquidationPlannerTests
{
    private static readonly MarketSnapshot Market = TestMarket.Build(btc: 57_000m);
    private static readonly MarginCalculator Calculator = TestParameters.StandardCalculator();
    private static readonly Dictionary<string, decimal> NoBudgetUsed = new(StringComparer.Ordinal);

    private static LiquidationParameters Parameters(decimal feeRate = 0.005m, decimal budget = 100m) =>
        new(stopBufferRatio: 0.05m, maxStepFraction: 0.25m, feeRate: feeRate, slippageBand: 0.02m, defaultLiquidityBudget: budget);

    /// <summary><paramref name="positions"/> funded in USDT so that equity is half the maintenance margin, whatever the model's numbers are.</summary>
    private static Portfolio AtHalfItsMaintenance(Position[] positions, MarketSnapshot market, MarginCalculator calculator)
    {
        var unfunded = calculator.Assess(new Portfolio("acc-1", [], positions), market);
        return new Portfolio("acc-1", [new CollateralBalance("USDT", (unfunded.MaintenanceMarginUsd / 2) - unfunded.EquityUsd)], positions);
    }

    private static Portfolio LastPosition(decimal usdt) =>
        new("acc-1", [new CollateralBalance("USDT", usdt)], [new Position(TestMarket.BtcUsdt, 0.1m, 60_000m)]);

    private static Portfolio LongBtc(decimal usdt, params Position[] others) =>
        new("acc-1", [new CollateralBalance("USDT", usdt)], [new Position(TestMarket.BtcUsdt, 10m, 60_000m), .. others]);

    /// <summary>
    /// A position off its lot (1.0005 BTCUSDT where the lot is 0.001) is unwound in whole lots, and only its last order,
    /// the whole of what is left, is off the lot (the venue's close-position order). Each step is 25% of what is left,
    /// rounded down to the 0.1 increment but at least one: 0.2 of 1.0005, 0.2 of 0.8005, then 0.1 six times (0.6005 down
    /// to 0.1005), and the 0.0005 left, less than one increment, whole.
    /// </summary>
    [Fact]
    public void A_position_off_its_lot_is_ordered_in_whole_lots_and_its_remainder_whole_last()
    {
        var market = TestMarket.Build(57_000m, 3_000m, TestMarket.Instruments.Select(i => i.Symbol == TestMarket.BtcUsdt ? i with { LotSize = 0.001m } : i));
        var portfolio = new Portfolio("acc-1", [new CollateralBalance("USDT", 100_000m)], [new Position(TestMarket.BtcUsdt, 1.0005m, 60_000m)]);
        var quantities = new List<decimal>();

        for (var plan = LiquidationPlanner.NextStep(portfolio, market, Calculator, Parameters().ForUnwind(), NoBudgetUsed);
             plan.Outcome == LiquidationPlanOutcome.Orders && quantities.Count < 20;
             plan = LiquidationPlanner.NextStep(portfolio, market, Calculator, Parameters().ForUnwind(), NoBudgetUsed))
        {
            quantities.Add(Assert.Single(plan.Orders).Quantity);
            portfolio = LiquidationPlanner.Apply(portfolio, plan.Orders, market);
        }

        Assert.Equal([0.2m, 0.2m, 0.1m, 0.1m, 0.1m, 0.1m, 0.1m, 0.1m, 0.0005m], quantities);
        Assert.All(portfolio.Positions, p => Assert.Equal(0m, p.Quantity));
    }

    [Fact]
    public void Linear_perp_is_reduced_just_enough_to_restore_the_buffer_and_then_liquidation_stops()
    {
        // Equity 34,000 - 30,000 = 4,000 < MM 4,400; stop = 4,400 x 1.05 = 4,620.
        var portfolio = LongBtc(34_000m);

        var plan = LiquidationPlanner.NextStep(portfolio, Market, Calculator, Parameters(), NoBudgetUsed);

        // Trial at 25%: 7.5 BTC, notional 427,500, MM 4,275 - 1,300 = 2,975; release 1,425, i.e. R = 5,700 per unit of
        // fraction, and 1,425 / 142,500 = 1% of notional. Needed f = (1.05 x 4,400 - 4,000) / (1.05 x 5,700 - 0.005 x 570,000)
        // = 620 / 3,135 = 0.19777 -> 1.9777 BTC, rounded up to the 0.1 increment: 2.0 BTC (below the 2.5 step cap).
        Assert.Equal(LiquidationPlanOutcome.Orders, plan.Outcome);
        var order = Assert.Single(plan.Orders);
        Assert.Equal((TestMarket.BtcUsdt, OrderSide.Sell, 2.0m), (order.Symbol, order.Side, order.Quantity));
        Assert.True(order.ReduceOnly && order.ImmediateOrCancel);
        Assert.Equal(55_860.00m, order.LimitPrice); // 57,000 x 0.98, on the 0.01 tick
        // Fee = 0.5% x 2 x 57,000 = 570.00 USDT, well under the equity of 4,000.
        Assert.Equal((570.00m, 570m, "USDT", false), (order.Fee.AmountUsd, order.Fee.Amount, order.Fee.Asset, order.Fee.Capped));
        // After: equity 4,000 - 570 = 3,430; 8 BTC, notional 456,000, MM 4,560 - 1,300 = 3,260; stop 3,423 <= 3,430.
        Assert.Equal(4_000.00m, plan.Before.EquityUsd);
        Assert.Equal(3_430.00m, plan.ExpectedAfter.EquityUsd);
        Assert.Equal(3_260.00m, plan.ExpectedAfter.MaintenanceMarginUsd);

        var next = LiquidationPlanner.NextStep(LiquidationPlanner.Apply(portfolio, plan.Orders, Market), Market, Calculator, Parameters(), NoBudgetUsed);
        Assert.Equal(LiquidationPlanOutcome.Done, next.Outcome);
        Assert.Empty(next.Orders);
        Assert.Contains("cross: equity 3430.00 >= stop 3423.0000", next.Reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// The fund's unwind: a healthy long (equity 40,000 - 30,000 = 10,000, far above the stop of 4,620) is still closed,
    /// a max step (25% of what is left, 2.5 BTC first) at a time and without a fee, until flat, which is done.
    /// </summary>
    [Fact]
    public void An_unwind_closes_a_healthy_position_step_by_step_without_a_fee_until_flat()
    {
        var unwind = Parameters().ForUnwind();
        var portfolio = LongBtc(40_000m);
        Assert.Equal(LiquidationPlanOutcome.Done, LiquidationPlanner.NextStep(portfolio, Market, Calculator, Parameters(), NoBudgetUsed).Outcome);

        var sold = new List<decimal>();
        for (var plan = LiquidationPlanner.NextStep(portfolio, Market, Calculator, unwind, NoBudgetUsed);
             plan.Outcome != LiquidationPlanOutcome.Done;
             plan = LiquidationPlanner.NextStep(portfolio, Market, Calculator, unwind, NoBudgetUsed))
        {
            var order = Assert.Single(plan.Orders);
            Assert.Equal((OrderSide.Sell, 0m), (order.Side, order.Fee.Amount));
            sold.Add(order.Quantity);
            portfolio = LiquidationPlanner.Apply(portfolio, plan.Orders, Market);
        }

        Assert.Equal([2.5m, 1.8m], sold.Take(2));
        Assert.Equal(10m, sold.Sum());
        Assert.All(portfolio.Positions, p => Assert.Equal(0m, p.Quantity));
    }

    [Fact]
    public void A_deep_breach_is_cut_by_the_max_step_fraction()
    {
        // Equity 31,000 - 30,000 = 1,000: needed f = (4,620 - 1,000) / 3,135 = 1.15 > 0.25, so the step is 25% = 2.5 BTC.
        var plan = LiquidationPlanner.NextStep(LongBtc(31_000m), Market, Calculator, Parameters(), NoBudgetUsed);

        var order = Assert.Single(plan.Orders);
        Assert.Equal(2.5m, order.Quantity);
        // Fee = 0.5% x 2.5 x 57,000 = 712.50; equity after 1,000 - 712.50 = 287.50; 7.5 BTC leave MM 2,975.00.
        Assert.Equal(712.50m, order.Fee.AmountUsd);
        Assert.Equal(287.50m, plan.ExpectedAfter.EquityUsd);
        Assert.Equal(2_975.00m, plan.ExpectedAfter.MaintenanceMarginUsd);
    }

    [Fact]
    public void The_fee_is_capped_by_the_equity_left_above_bankruptcy()
    {
        // Equity 30,100 - 30,000 = 100: step 2.5 BTC, fee 712.50 uncapped, capped at the 100.00 of equity; after: 0.00.
        var plan = LiquidationPlanner.NextStep(LongBtc(30_100m), Market, Calculator, Parameters(), NoBudgetUsed);

        var order = Assert.Single(plan.Orders);
        Assert.Equal((2.5m, 100.00m, 712.500m, true), (order.Quantity, order.Fee.AmountUsd, order.Fee.UncappedUsd, order.Fee.Capped));
        Assert.Equal(0.00m, plan.ExpectedAfter.EquityUsd);
    }

    [Fact]
    public void The_position_releasing_most_margin_per_notional_goes_first()
    {
        // ETH: 10 ETHUSDT at 3,000 (no P&L), notional 30,000, first bracket: MM 120, releasing 0.4% of what is closed;
        // BTC releases 1% (third bracket). MM 4,400 + 120 = 4,520; equity 34,000 - 30,000 = 4,000 < 4,520.
        var portfolio = LongBtc(34_000m, new Position(TestMarket.EthUsdt, 10m, 3_000m));

        var plan = LiquidationPlanner.NextStep(portfolio, Market, Calculator, Parameters(), NoBudgetUsed);

        Assert.Equal(TestMarket.BtcUsdt, Assert.Single(plan.Orders).Symbol);
        Assert.Contains("closing BTCUSDT (releases 0.01 USD of MM per USD closed, best of 2)", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_instrument_without_budget_is_skipped_for_the_next_best()
    {
        var portfolio = LongBtc(34_000m, new Position(TestMarket.EthUsdt, 10m, 3_000m));
        var budget = new Dictionary<string, decimal>(StringComparer.Ordinal) { [TestMarket.BtcUsdt] = 0m };

        var plan = LiquidationPlanner.NextStep(portfolio, Market, Calculator, Parameters(), budget);

        // ETH alone: MM 4,520 -> trial release per fraction R = 120 (all of it linear in the first bracket), N = 30,000;
        // the denominator 1.05 x 120 - 0.005 x 30,000 = -24 is negative (the fee costs more than the release), so the
        // full step: 2.5 ETH.
        var order = Assert.Single(plan.Orders);
        Assert.Equal((TestMarket.EthUsdt, 2.5m), (order.Symbol, order.Quantity));
        Assert.Contains("throttled: BTCUSDT", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_remaining_budget_bounds_the_step_and_a_budget_under_one_increment_throttles()
    {
        var portfolio = LongBtc(34_000m);

        var bounded = LiquidationPlanner.NextStep(portfolio, Market, Calculator, Parameters(),
            new Dictionary<string, decimal>(StringComparer.Ordinal) { [TestMarket.BtcUsdt] = 1.27m });
        // Wanted 2.0 BTC; the budget 1.27 rounds down to 1.2.
        Assert.Equal(1.2m, Assert.Single(bounded.Orders).Quantity);

        var throttled = LiquidationPlanner.NextStep(portfolio, Market, Calculator, Parameters(),
            new Dictionary<string, decimal>(StringComparer.Ordinal) { [TestMarket.BtcUsdt] = 0.05m });
        Assert.Equal(LiquidationPlanOutcome.Throttled, throttled.Outcome);
        Assert.Empty(throttled.Orders);
        Assert.Contains("throttled", throttled.Reason, StringComparison.Ordinal);

        // The parameters' per-interval budget applies to a symbol the caller has not reported.
        var fromParameters = LiquidationPlanner.NextStep(portfolio, Market, Calculator, Parameters(budget: 0m), NoBudgetUsed);
        Assert.Equal(LiquidationPlanOutcome.Throttled, fromParameters.Outcome);
    }

    [Fact]
    public void A_healthy_account_is_done_and_says_why()
    {
        // Equity 40,000 - 30,000 = 10,000 >= 4,620.
        var plan = LiquidationPlanner.NextStep(LongBtc(40_000m), Market, Calculator, Parameters(), NoBudgetUsed);

        Assert.Equal(LiquidationPlanOutcome.Done, plan.Outcome);
        Assert.Equal("cross: equity 10000.00 >= stop 4620.0000 (MM 4400.00 x 1.05)", plan.Reason);
        Assert.Same(plan.Before, plan.ExpectedAfter);
    }

    [Fact]
    public void An_account_with_no_position_and_negative_equity_has_nothing_to_close()
    {
        var plan = LiquidationPlanner.NextStep(new Portfolio("acc-1", [new CollateralBalance("USDT", -5m)], []), Market, Calculator, Parameters(), NoBudgetUsed);

        // MM 0 x 1.05 = 0 > equity -5: a deficit the insurance fund must cover.
        Assert.Equal(LiquidationPlanOutcome.NothingToClose, plan.Outcome);
    }

    [Fact]
    public void An_isolated_position_below_its_maintenance_is_liquidated_on_its_own_margin()
    {
        // Isolated long 1 BTC at 60,000 with 3,200 USDT of margin: equity 3,200 - 3,000 = 200; notional 57,000 is in the
        // second bracket (MMR 0.5%, amount 50): MM 285 - 50 = 235 > 200, stop 235 x 1.05 = 246.75. The cross pool
        // (10,000 USDT, no cross position) is fine.
        var portfolio = new Portfolio("acc-1", [new CollateralBalance("USDT", 10_000m)],
            [new Position(TestMarket.BtcUsdt, 1m, 60_000m, IsolatedMargin: 3_200m)]);

        var plan = LiquidationPlanner.NextStep(portfolio, Market, Calculator, Parameters(), NoBudgetUsed);

        // 25% of 1 BTC = 0.25 -> 0.2 on the 0.1 increment; fee 0.5% x 0.2 x 57,000 = 57.00 (under the 200 of equity).
        var order = Assert.Single(plan.Orders);
        Assert.Equal((TestMarket.BtcUsdt, OrderSide.Sell, 0.2m, 57.00m), (order.Symbol, order.Side, order.Quantity, order.Fee.AmountUsd));
        Assert.Contains("isolated BTCUSDT: equity 200.00 below stop 246.7500 (MM 235.00 x 1.05)", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Limit_prices_sit_on_the_tick_inside_the_band_on_the_marketable_side()
    {
        // 57,123.45 x 0.98 = 55,980.981 -> up to the 0.5 tick: 55,981.0; x 1.02 = 58,265.919 -> down: 58,265.5.
        Assert.Equal(55_981.0m, LiquidationPlanner.LimitPrice(57_123.45m, 0.5m, OrderSide.Sell, 0.02m));
        Assert.Equal(58_265.5m, LiquidationPlanner.LimitPrice(57_123.45m, 0.5m, OrderSide.Buy, 0.02m));
        // A mark of one tick cannot sell below one tick.
        Assert.Equal(0.0001m, LiquidationPlanner.LimitPrice(0.0001m, 0.0001m, OrderSide.Sell, 0.02m));
    }

    [Fact]
    public void A_short_inverse_perp_is_bought_back_above_the_mark_on_its_half_dollar_tick()
    {
        // BTC-PERPETUAL marks 57,000 x 1.0005 = 57,028.5. Short 10,000 contracts (100,000 USD) entered at 52,000:
        // P&L in BTC = -10,000 x 10 x (1/52,000 - 1/57,028.5), about -0.16957 BTC = -9,665 USD, with 10,000 USDT.
        var portfolio = new Portfolio("acc-1", [new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcInversePerp, -10_000m, 52_000m)]);
        var parameters = new LiquidationParameters(0.05m, 0.25m, 0.005m, 0.02m, 1_000_000m, quantityIncrements: new Dictionary<string, decimal> { [TestMarket.BtcInversePerp] = 1m });

        var plan = LiquidationPlanner.NextStep(portfolio, Market, Calculator, parameters, NoBudgetUsed);

        var order = Assert.Single(plan.Orders);
        Assert.Equal(OrderSide.Buy, order.Side);
        // 57,028.5 x 1.02 = 58,169.07 -> down to the tick: 58,169.0.
        Assert.Equal(58_169.0m, order.LimitPrice);
        Assert.InRange(order.Quantity, 1m, 2_500m);
        Assert.Equal(0m, order.Quantity % 1m);
    }

    [Fact]
    public void An_option_and_its_delta_hedge_are_closed_together_by_the_same_fraction()
    {
        // Long 1 call 60,000 (delta about +0.3) hedged by 0.5 BTCUSDT short, under the Deribit-like portfolio model.
        var calculator = TestParameters.DeribitCalculator();
        var call = TestMarket.LinearOption(OptionKind.Call, 60_000);
        Position[] positions = [new Position(call, 1m, 2_000m), new Position(TestMarket.BtcUsdt, -0.5m, 57_000m)];
        var portfolio = AtHalfItsMaintenance(positions, Market, calculator);

        var plan = LiquidationPlanner.NextStep(portfolio, Market, calculator, Parameters(feeRate: 0m), NoBudgetUsed);

        // 25% of 1 call = 0.25 -> 0.2 on the increment; 25% of 0.5 = 0.125 -> 0.1: both legs 20%.
        Assert.Equal(LiquidationPlanOutcome.Orders, plan.Outcome);
        Assert.Equal(
            [(call, OrderSide.Sell, 0.2m, "hedge:BTC"), (TestMarket.BtcUsdt, OrderSide.Buy, 0.1m, "hedge:BTC")],
            plan.Orders.Select(o => (o.Symbol, o.Side, o.Quantity, o.GroupKey)).ToArray());
    }

    /// <summary>
    /// Long 0.1 BTCUSDT at 60,000 with 320 USDT, BTC at 57,000: equity 320 - 300 = 20 &lt; MM 0.4% x 5,700 = 22.80. The step
    /// is the whole 0.1 (one increment), so it closes the last position: fee 0.5% x 5,700 = 28.50, capped by the equity at
    /// 20.00. At the band (55,860.00) it could lose 0.1 x 1,140 = 114 against the mark.
    /// </summary>
    [Theory]
    [InlineData(30, 56_500.00, 30)] // 114 > 20 + 30: the limit is where it loses 50, 57,000 - 50 / 0.1.
    [InlineData(200, 55_860.00, 200)] // 114 <= 20 + 200: the fund can take the band.
    public void A_step_that_closes_the_last_position_loses_at_most_the_equity_and_the_funds_allowance_at_its_limit(decimal allowance, decimal limit,
        decimal fundShare)
    {
        var portfolio = LastPosition(320m);

        var plan = LiquidationPlanner.NextStep(portfolio, Market, Calculator, Parameters(), NoBudgetUsed, allowance);

        var order = Assert.Single(plan.Orders);
        Assert.Equal((OrderSide.Sell, 0.1m, 20.00m, limit), (order.Side, order.Quantity, order.Fee.AmountUsd, order.LimitPrice));
        // Its equity share is the whole equity before the fee (the fee is charged from what the fill's slippage leaves).
        Assert.Equal(new LiquidationLossBound(57_000m, 20m, fundShare), order.Bound);
        Assert.True(LiquidationSlippage.LossUsd(Market.GetInstrument(TestMarket.BtcUsdt), order.Side, order.Quantity, 57_000m, order.LimitPrice, 1m)
            <= 20m + allowance);
    }

    [Fact]
    public void A_bankrupt_last_position_may_lose_only_what_the_fund_has_left_after_the_deficit()
    {
        // 280 USDT: equity -20, so no fee; of an allowance of 50 the deficit takes 20, leaving 30: 57,000 - 30 / 0.1 = 56,700.
        var plan = LiquidationPlanner.NextStep(LastPosition(280m), Market, Calculator, Parameters(), NoBudgetUsed, 50m);

        var order = Assert.Single(plan.Orders);
        Assert.Equal((0m, 56_700.00m, new LiquidationLossBound(57_000m, 0m, 30m)), (order.Fee.AmountUsd, order.LimitPrice, order.Bound));
    }

    [Fact]
    public void Without_an_allowance_or_with_positions_left_after_the_step_the_limits_stay_at_the_band()
    {
        var last = Assert.Single(LiquidationPlanner.NextStep(LastPosition(320m), Market, Calculator, Parameters(), NoBudgetUsed).Orders);
        Assert.Equal((55_860.00m, (LiquidationLossBound?)null), (last.LimitPrice, last.Bound));

        // 2.5 of 10 BTC (the deep breach above): the rest of the position is there for the fund and auto-deleveraging.
        var partial = Assert.Single(LiquidationPlanner.NextStep(LongBtc(31_000m), Market, Calculator, Parameters(), NoBudgetUsed, 0m).Orders);
        Assert.Equal((2.5m, 55_860.00m, (LiquidationLossBound?)null), (partial.Quantity, partial.LimitPrice, partial.Bound));
    }

    [Fact]
    public void A_short_inverse_last_position_is_bought_back_no_higher_than_its_bound_on_the_half_dollar_tick()
    {
        // The short inverse perp above (10,000 contracts, equity 334.64), closed in increments of 10,000: the step is the
        // whole position. Fee 0.5% x 100,000 = 500, capped by the equity at 334.64, so the equity share is 334.64 and, with
        // no fund allowance, the limit is where the buy loses exactly that: 1 / (1/57,028.5 - 334.64 / (10,000 x 10 x
        // 57,000)) = 57,220.077, down to the tick: 57,220.0, a loss of 334.506 there (the band would be 58,169.0).
        var portfolio = new Portfolio("acc-1", [new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcInversePerp, -10_000m, 52_000m)]);
        var parameters = new LiquidationParameters(0.05m, 0.25m, 0.005m, 0.02m, 1_000_000m,
            quantityIncrements: new Dictionary<string, decimal> { [TestMarket.BtcInversePerp] = 10_000m });

        var plan = LiquidationPlanner.NextStep(portfolio, Market, Calculator, parameters, NoBudgetUsed, 0m);

        var order = Assert.Single(plan.Orders);
        Assert.Equal((OrderSide.Buy, 10_000m, 334.64m, 57_220.0m), (order.Side, order.Quantity, order.Fee.AmountUsd, order.LimitPrice));
        Assert.Equal(new LiquidationLossBound(57_028.5m, 334.64m, 0m), order.Bound);
        var loss = LiquidationSlippage.LossUsd(Market.GetInstrument(TestMarket.BtcInversePerp), OrderSide.Buy, 10_000m, 57_028.5m, 57_220.0m, 57_000m);
        Assert.Equal(334.506m, Math.Round(loss, 3));
    }

    [Fact]
    public void A_hedge_group_is_not_broken_when_one_leg_has_no_budget()
    {
        var call = TestMarket.LinearOption(OptionKind.Call, 60_000);
        var portfolio = new Portfolio("acc-1", [new CollateralBalance("USDT", -3_000m)],
            [new Position(call, 1m, 2_000m), new Position(TestMarket.BtcUsdt, -0.5m, 57_000m)]);
        var budget = new Dictionary<string, decimal>(StringComparer.Ordinal) { [TestMarket.BtcUsdt] = 0m };

        var plan = LiquidationPlanner.NextStep(portfolio, Market, TestParameters.DeribitCalculator(), Parameters(), budget);

        Assert.Equal(LiquidationPlanOutcome.Throttled, plan.Outcome);
        Assert.Contains("no budget for hedge:BTC", plan.Reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// Long 1 call 60,000 (delta under 1 BTC) against a short of 100 BTCUSDT: the call offsets at most 1 BTC of the short,
    /// the other 99 BTC or more are naked. With the call halted (no budget), the hedge group waits, but the naked part of
    /// the future is liquidated on its own, by the max step: 25% of the naked part, on the 0.1 increment.
    /// </summary>
    [Fact]
    public void A_halted_option_does_not_freeze_the_naked_part_of_its_large_hedging_future()
    {
        var calculator = TestParameters.DeribitCalculator();
        var call = TestMarket.LinearOption(OptionKind.Call, 60_000);
        Position[] positions = [new Position(call, 1m, 2_000m), new Position(TestMarket.BtcUsdt, -100m, 57_000m)];
        var portfolio = AtHalfItsMaintenance(positions, Market, calculator);
        var budget = new Dictionary<string, decimal>(StringComparer.Ordinal) { [call] = 0m };

        var plan = LiquidationPlanner.NextStep(portfolio, Market, calculator, Parameters(budget: 1_000m), budget);

        Assert.Equal(LiquidationPlanOutcome.Orders, plan.Outcome);
        var order = Assert.Single(plan.Orders);
        Assert.Equal((TestMarket.BtcUsdt, OrderSide.Buy, TestMarket.BtcUsdt), (order.Symbol, order.Side, order.GroupKey));
        // The naked part is 100 less the part on the call's delta rounded up to the increment (99.0 to 99.9): 25% of it
        // is 24.75 to 24.975, down to the increment 24.7 to 24.9; never a contract of the part that hedges the call.
        Assert.InRange(order.Quantity, 24.7m, 24.9m);
        Assert.Contains("throttled: hedge:BTC", plan.Reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// A short of 10 inverse 70,000 calls marked at 0.0002 BTC, below the 0.0005 tick: the band's buy limit would be
    /// 0.0002 x 1.02 = 0.000204, down to the tick 0, and no price below one tick exists on the book. The order is bought
    /// back at one tick, 0.0005 (at most 0.0003 BTC a contract beyond the mark), and the step says so, rather than leaving
    /// the short with no order that could ever fill.
    /// </summary>
    [Fact]
    public void A_short_option_marked_below_one_tick_is_bought_back_at_one_tick_and_the_step_says_it_is_beyond_the_band()
    {
        var call = new OptionContract("BTC-27MAR26-70000-C", "BTC", "USD", "BTC", SettlementKind.Inverse, 1m, 0.0005m,
            TestMarket.March, OptionKind.Call, 70_000m);
        var market = new MarketSnapshot(TestMarket.ValuationTime, [call],
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 60_000m, ["USD"] = 1m, ["USDT"] = 1m },
            [new UnderlyingMarket("BTC", 0)],
            [new InstrumentMark(call.Symbol, 0.0002m, 0.80)]);
        Position[] positions = [new Position(call.Symbol, -10m, 0.0002m)];
        var portfolio = AtHalfItsMaintenance(positions, market, Calculator);

        var plan = LiquidationPlanner.NextStep(portfolio, market, Calculator, Parameters(), NoBudgetUsed);

        var order = Assert.Single(plan.Orders);
        Assert.Equal((OrderSide.Buy, 0.0005m), (order.Side, order.LimitPrice));
        Assert.Contains($"{call.Symbol}: buy limit 0.0005 is one tick, beyond the band's 0.000204 (mark 0.0002 below one tick)", plan.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(34_620.00, LiquidationPlanOutcome.Done)] // equity 4,620.00 = stop 4,400 x 1.05: back above MM plus the buffer
    [InlineData(34_619.99, LiquidationPlanOutcome.Orders)] // a cent below the stop: still liquidated
    public void Liquidation_stops_exactly_at_maintenance_plus_the_buffer(decimal usdt, LiquidationPlanOutcome outcome)
    {
        var plan = LiquidationPlanner.NextStep(LongBtc(usdt), Market, Calculator, Parameters(), NoBudgetUsed);

        Assert.Equal(outcome, plan.Outcome);
    }

    [Fact]
    public void A_position_smaller_than_one_increment_is_closed_whole_and_never_beyond_it()
    {
        // Long 0.05 BTCUSDT (half the 0.1 increment) at 60,000: P&L -150, notional 2,850, MM 0.4% = 11.40; equity 155 - 150
        // = 5 < 11.97. Rounding up to the increment would sell 0.1 and open a short: the order is the 0.05 held.
        var portfolio = new Portfolio("acc-1", [new CollateralBalance("USDT", 155m)], [new Position(TestMarket.BtcUsdt, 0.05m, 60_000m)]);

        var plan = LiquidationPlanner.NextStep(portfolio, Market, Calculator, Parameters(), NoBudgetUsed);

        var order = Assert.Single(plan.Orders);
        Assert.Equal((OrderSide.Sell, 0.05m), (order.Side, order.Quantity));
        Assert.Empty(LiquidationPlanner.Apply(portfolio, plan.Orders, Market).Positions);
    }
}
