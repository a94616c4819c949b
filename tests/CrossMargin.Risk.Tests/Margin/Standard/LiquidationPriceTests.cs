using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Tests.Margin.Standard;

/// <summary>
/// Binance's worked liquidation prices for BTCUSDT with the 2021 brackets. Ticks: the fixture's BTCUSDT has a
/// 0.01 tick; a 1e-8 tick shows the unrounded solution and a 0.1 tick Binance's own rounding.
/// </summary>
public class LiquidationPriceTests
{
    private static readonly RiskLimitSchedule Binance = TestParameters.BinanceSchedule();

    [Fact]
    public void Isolated_long_1_btc_at_50000_with_5000_margin_liquidates_at_45180_72_in_bracket_1()
    {
        var position = Valued(1m, 50_000m);

        // P = (E0 - s Q M0) / (Q (r - s)) = (5000 - 50000) / (0.004 - 1) = 45,180.7228...
        Assert.Equal(45_180.72289157m, ForLinear(position, 5_000m, tick: 0.00000001m));
        Assert.Equal(45_180.73m, ForLinear(position, 5_000m, tick: 0.01m)); // rounded up for a long
        Assert.Equal(45_180.8m, ForLinear(position, 5_000m, tick: 0.1m));
    }

    [Fact]
    public void Isolated_short_1_btc_at_50000_with_5000_margin_liquidates_in_bracket_2_after_the_recheck()
    {
        var position = Valued(-1m, 50_000m);

        // Bracket 1 would give 55000 / 1.004 = 54,780.88, whose notional is outside bracket 1;
        // bracket 2 gives (5000 + 50 + 50000) / 1.005 = 54,776.1194..., inside it.
        var exact = ForLinear(position, 5_000m, tick: 0.00000001m);
        Assert.Equal(54_776.11940298m, exact);
        Assert.Equal(1, Binance.IndexOf(exact!.Value));
        // Rounded down for a short: 54,776.11 (the nearest cent would be 54,776.12, in the account's favour).
        Assert.Equal(54_776.11m, ForLinear(position, 5_000m, tick: 0.01m));
        Assert.Equal(54_776.1m, ForLinear(position, 5_000m, tick: 0.1m));
    }

    [Fact]
    public void Cross_long_2_btc_at_30000_with_10000_wallet_liquidates_at_25100_50_in_bracket_2()
    {
        var position = Valued(2m, 30_000m);

        // Bracket 1 gives 50000 / 1.992 = 25,100.40 (notional 50,200.80: not bracket 1); bracket 2 gives 49950 / 1.99.
        var exact = ForLinear(position, 10_000m, tick: 0.00000001m);
        Assert.Equal(25_100.50251257m, exact);
        Assert.Equal(25_100.51m, ForLinear(position, 10_000m, tick: 0.01m));
    }

    [Theory]
    [InlineData(1, 50_000, 5_000)]
    [InlineData(-1, 50_000, 5_000)]
    [InlineData(2, 30_000, 10_000)]
    [InlineData(-3, 42_000, 9_000)]
    [InlineData(25, 40_000, 100_000)]
    public void At_the_liquidation_price_equity_equals_maintenance_margin(int quantity, int entry, int margin)
    {
        var price = ForLinear(Valued(quantity, entry), margin, tick: 0.00000001m)!.Value;

        // Revalue the position at the computed price and margin it with the standard model.
        var market = TestMarket.Build(btc: price);
        var revalued = PositionValuation.Of(new Position(TestMarket.BtcUsdt, quantity, entry), market);
        var equity = margin + revalued.ValueUsd;
        var maintenance = TestParameters.StandardModel().Compute([revalued], [], market).MaintenanceMarginUsd;

        Assert.InRange(equity - maintenance, -0.000001m * Math.Abs(quantity), 0.000001m * Math.Abs(quantity));
    }

    [Fact]
    public void Isolated_position_reports_its_liquidation_price_and_is_liquidated_one_tick_beyond_it()
    {
        var calculator = TestParameters.StandardCalculator();
        var portfolio = new Portfolio("iso", [], [new Position(TestMarket.BtcUsdt, 1m, 50_000m, IsolatedMargin: 5_000m)]);

        var atEntry = calculator.Assess(portfolio, TestMarket.Build(btc: 50_000m));
        var liquidation = Assert.Single(atEntry.Isolated).LiquidationPrice;
        Assert.Equal(45_180.73m, liquidation);
        Assert.Equal(MarginStatus.Healthy, atEntry.Isolated[0].Status);

        var above = calculator.Assess(portfolio, TestMarket.Build(btc: liquidation!.Value + 0.10m));
        var below = calculator.Assess(portfolio, TestMarket.Build(btc: liquidation.Value - 0.01m));
        Assert.Equal(MarginStatus.MarginCall, above.Isolated[0].Status);
        Assert.Equal(MarginStatus.Liquidation, below.Isolated[0].Status);
    }

    [Fact]
    public void Long_backed_beyond_its_notional_has_no_liquidation_price()
    {
        Assert.Null(ForLinear(Valued(1m, 50_000m), 60_000m, tick: 0.01m));
    }

    [Fact]
    public void Short_liquidating_beyond_the_cap_of_a_capped_last_bracket_still_has_a_liquidation_price()
    {
        // A schedule whose last bracket has a cap: the model margins notional beyond it at the last bracket's rates.
        var capped = new RiskLimitSchedule([(0m, 50_000m, 0.008m, 0.004m, null), (50_000m, 100_000m, 0.01m, 0.005m, null)]);
        var position = Valued(-1m, 90_000m) with { Instrument = new Perpetual(TestMarket.BtcUsdt, "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m) };

        var price = LiquidationPrice.ForLinear(position, capped, 20_000m, 0m, 1m);

        // Python (decimal, 40 digits): last bracket, amount 50,000 x (0.005 - 0.004) = 50:
        // P = (20,000 + 50 + 90,000) / 1.005 = 109,502.48756...; notional 109,502 is past the cap; down to the tick for a short.
        // There equity 20,000 - (P - 90,000) = 497.5124... = 0.005 P - 50, the maintenance margin.
        Assert.Equal(109_502.48m, price);
    }

    [Fact]
    public void Inverse_contract_is_refused()
    {
        var market = TestMarket.Build();
        var inverse = PositionValuation.Of(new Position(TestMarket.BtcInversePerp, 100m, 60_000m), market);

        Assert.Throws<ArgumentException>(() => LiquidationPrice.ForLinear(inverse, Binance, 1_000m, 0m, 1m));
    }

    private static PositionValuation Valued(decimal quantity, decimal entry)
    {
        var market = TestMarket.Build(btc: entry);
        return PositionValuation.Of(new Position(TestMarket.BtcUsdt, quantity, entry), market);
    }

    private static decimal? ForLinear(PositionValuation position, decimal equity, decimal tick)
    {
        var instrument = new Perpetual(TestMarket.BtcUsdt, "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, tick);
        return LiquidationPrice.ForLinear(position with { Instrument = instrument }, Binance, equity, 0m, 1m);
    }
}
