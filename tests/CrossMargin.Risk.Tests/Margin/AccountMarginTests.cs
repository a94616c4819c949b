using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Margin;

public class AccountMarginTests
{
    [Theory]
    [InlineData(1_000, MarginStatus.Healthy)]
    [InlineData(500, MarginStatus.Healthy)]
    [InlineData(499.99, MarginStatus.MarginCall)]
    [InlineData(250, MarginStatus.MarginCall)]
    [InlineData(249.99, MarginStatus.Liquidation)]
    [InlineData(0, MarginStatus.Liquidation)]
    [InlineData(-0.01, MarginStatus.Bankrupt)]
    public void Status_follows_equity_against_initial_then_maintenance_then_zero(decimal equity, MarginStatus expected)
    {
        Assert.Equal(expected, AccountMargin.StatusOf(equity, initial: 500m, maintenance: 250m));
    }

    [Fact]
    public void Falling_mark_walks_the_account_from_healthy_to_bankrupt()
    {
        // 1 BTC long from 60,000 on 2,000 USDT: IM 0.8% and MM 0.4% of the notional (bracket 1).
        var calculator = TestParameters.StandardCalculator();
        var portfolio = new Portfolio("walk", [new CollateralBalance("USDT", 2_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)]);

        var statuses = new[] { 60_000m, 58_400m, 58_200m, 57_900m }
            .Select(btc => calculator.Assess(portfolio, TestMarket.Build(btc: btc)))
            .ToArray();

        Assert.Equal([MarginStatus.Healthy, MarginStatus.MarginCall, MarginStatus.Liquidation, MarginStatus.Bankrupt], statuses.Select(s => s.Status));
        Assert.Equal(-100m, statuses[^1].EquityUsd);
    }

    [Fact]
    public void Falling_mark_walks_a_portfolio_margined_account_through_every_status()
    {
        var calculator = TestParameters.DeribitCalculator();
        var portfolio = new Portfolio("walk", [new CollateralBalance("USDT", 12_000m)],
            [new Position(TestMarket.BtcUsdt, 1m, 60_000m), new Position(TestMarket.LinearOption(OptionKind.Call, 70_000), -1m, 0m)]);

        var seen = new List<MarginStatus>();
        for (var btc = 60_000m; btc >= 40_000m; btc -= 250m)
        {
            var status = calculator.Assess(portfolio, TestMarket.Build(btc: btc)).Status;
            if (seen.Count == 0 || seen[^1] != status)
            {
                seen.Add(status);
            }
        }

        Assert.Equal([MarginStatus.Healthy, MarginStatus.MarginCall, MarginStatus.Liquidation, MarginStatus.Bankrupt], seen);
    }

    [Fact]
    public void Requirements_round_up_and_equity_rounds_down_to_the_cent()
    {
        Assert.Equal(100.01m, MarginRounding.Requirement(100.001m));
        Assert.Equal(100.00m, MarginRounding.Requirement(100.00m));
        Assert.Equal(99.99m, MarginRounding.Equity(99.999m));
        Assert.Equal(-0.01m, MarginRounding.Equity(-0.001m));
        Assert.Equal(1.000001m, MarginRounding.FromKernel(1.0000009999));
        Assert.Throws<ArgumentOutOfRangeException>(() => MarginRounding.FromKernel(double.NaN));
    }

    [Fact]
    public void Calculator_rounds_against_the_account()
    {
        // 0.3333 BTC at 60,000: notional 19,998, IM 0.8% = 159.984, MM 0.4% = 79.992; collateral 1,000.009 USDT.
        var calculator = TestParameters.StandardCalculator();
        var portfolio = new Portfolio("r", [new CollateralBalance("USDT", 1_000.009m)], [new Position(TestMarket.BtcUsdt, 0.3333m, 60_000m)]);

        var result = calculator.Assess(portfolio, TestMarket.Build());

        Assert.Equal(1_000.00m, result.EquityUsd);
        Assert.Equal(159.9840m, result.Requirement.InitialMarginUsd);
        Assert.Equal(159.99m, result.InitialMarginUsd);
        Assert.Equal(80.00m, result.MaintenanceMarginUsd);
    }

    [Fact]
    public void Equity_is_collateral_plus_futures_pnl_plus_option_value()
    {
        var market = TestMarket.Build();
        var option = TestMarket.LinearOption(OptionKind.Put, 55_000);
        var optionMark = market.MarkOf(option).MarkPrice;
        var portfolio = new Portfolio("eq",
            [new CollateralBalance("USDT", 10_000m), new CollateralBalance("BTC", 1m)],
            [
                new Position(TestMarket.BtcUsdt, 0.5m, 58_000m),
                new Position(TestMarket.BtcInversePerp, -1_000m, 59_000m),
                new Position(option, 2m, 1m),
            ]);

        var result = TestParameters.StandardCalculator().Assess(portfolio, market);

        var collateral = 10_000m + (60_000m * 0.95m);
        var linearPnl = 0.5m * 2_000m;
        var inversePnl = ((-10_000m / 59_000m) + (10_000m / 60_030m)) * 60_000m;
        Assert.Equal(collateral, result.CollateralValueUsd);
        Assert.Equal(linearPnl + inversePnl, result.UnrealisedPnlUsd);
        Assert.Equal(2m * optionMark, result.OptionValueUsd);
        Assert.Equal(MarginRounding.Equity(collateral + linearPnl + inversePnl + (2m * optionMark)), result.EquityUsd);
    }
}
