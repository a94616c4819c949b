using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Tests.Margin.Standard;

public class StandardMarginModelTests
{
    private static readonly MarketSnapshot Market = TestMarket.Build();
    private static readonly StandardMarginModel Model = TestParameters.StandardModel();

    [Fact]
    public void Deribit_short_call_70000_with_forward_60000_needs_0_11_btc_initial_and_0_085_btc_maintenance()
    {
        // Deribit's worked example: F = index = 60,000 (no forward quoted, so the forward is the index), mark 0.01 BTC.
        // IM = max(0.15 - 10,000/60,000, 0.10) x 60,000 + 0.01 x 60,000 = 6,000 + 600 = 6,600 USD = 0.11 BTC;
        // MM = max(0.075 - 1/6, 0.075) x 60,000 + 600 = 4,500 + 600 = 5,100 USD = 0.085 BTC.
        var call = new OptionContract("BTC-27MAR26-70000-C", "BTC", "USD", "BTC", SettlementKind.Inverse, 1m, 0.0005m,
            TestMarket.March, OptionKind.Call, 70_000m);
        var market = new MarketSnapshot(TestMarket.ValuationTime, [call],
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 60_000m, ["USD"] = 1m },
            [new UnderlyingMarket("BTC", 0)],
            [new InstrumentMark(call.Symbol, 0.01m, 0.80)]);

        var requirement = Model.Compute([PositionValuation.Of(new Position(call.Symbol, -1m, 0.01m), market)], [], market);

        Assert.Equal(6_600m, requirement.InitialMarginUsd);
        Assert.Equal(5_100m, requirement.MaintenanceMarginUsd);
        Assert.Equal(0.11m, requirement.InitialMarginUsd / market.PriceOf("BTC"));
        Assert.Equal(0.085m, requirement.MaintenanceMarginUsd / market.PriceOf("BTC"));
    }

    [Theory]
    [InlineData(0.15, 0.10, 0.20, 0.075)] // at the money: MM 0.20 x F above IM 0.15 x F
    [InlineData(0.15, 0.10, 0.075, 0.12)] // far out of the money: MM 0.12 x F above IM 0.10 x F
    public void Option_parameters_that_put_a_short_options_maintenance_above_its_initial_margin_are_refused(
        double initialBase, double initialFloor, double maintenanceBase, double maintenanceFloor)
    {
        var options = new OptionMarginParameters((decimal)initialBase, (decimal)initialFloor, (decimal)maintenanceBase, (decimal)maintenanceFloor);
        var schedules = new Dictionary<string, RiskLimitSchedule>(StringComparer.Ordinal) { [StandardMarginParameters.DefaultKey] = TestParameters.BinanceSchedule() };

        var error = Assert.Throws<ArgumentException>(() => new StandardMarginParameters(schedules, options));
        Assert.Contains("maintenance", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Option_parameters_whose_initial_floor_is_above_the_initial_base_still_keep_maintenance_below_initial()
    {
        // max(0.11 - x, 0.075) <= max(0.10 - x, 0.12) for every OTM fraction x >= 0: accepted.
        var options = new OptionMarginParameters(0.10m, 0.12m, 0.11m, 0.075m);
        var schedules = new Dictionary<string, RiskLimitSchedule>(StringComparer.Ordinal) { [StandardMarginParameters.DefaultKey] = TestParameters.BinanceSchedule() };

        Assert.Equal(options, new StandardMarginParameters(schedules, options).Options);
    }

    [Fact]
    public void Long_option_needs_its_premium_only()
    {
        var symbol = TestMarket.LinearOption(OptionKind.Put, 55_000);
        var mark = Market.MarkOf(symbol).MarkPrice;

        var requirement = Compute(new Position(symbol, 2m, mark));

        Assert.Equal(2m * mark, requirement.InitialMarginUsd);
        Assert.Equal(2m * mark, requirement.MaintenanceMarginUsd);
    }

    [Fact]
    public void Linear_perpetual_is_margined_by_its_bracket_and_says_so()
    {
        // 5 BTC at 60,000 = 300,000 notional: bracket 3 (2% / 1%; continuity amounts 2,600 = 50k x 0.2% + 250k x 1%, and 1,300).
        var requirement = Compute(new Position(TestMarket.BtcUsdt, 5m, 60_000m));

        Assert.Equal(300_000m * 0.02m - 2_600m, requirement.InitialMarginUsd);
        Assert.Equal(300_000m * 0.01m - 1_300m, requirement.MaintenanceMarginUsd);
        var line = Assert.Single(requirement.Standard!.Lines);
        Assert.StartsWith("bracket 3 ", line.Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void Inverse_perpetual_notional_is_contracts_times_size_in_usd()
    {
        // 10,000 contracts of $10 = $100,000 whatever the BTC price: bracket 2.
        var requirement = Compute(new Position(TestMarket.BtcInversePerp, -10_000m, 61_000m));

        Assert.Equal(100_000m, requirement.Standard!.Lines[0].NotionalUsd);
        Assert.Equal(100_000m * 0.005m - 50m, requirement.MaintenanceMarginUsd);
    }

    [Fact]
    public void Open_orders_raise_initial_margin_but_not_maintenance()
    {
        var position = new Position(TestMarket.BtcUsdt, 1m, 60_000m);
        var without = Compute(position);
        var with = Model.Compute([PositionValuation.Of(position, Market)],
            [new OpenOrder("b1", TestMarket.BtcUsdt, OrderSide.Buy, 2m, 59_000m), new OpenOrder("s1", TestMarket.BtcUsdt, OrderSide.Sell, 0.5m, 61_000m)], Market);

        Assert.Equal(3m * 60_000m * 0.01m - 100m, with.InitialMarginUsd); // 3 BTC = 180,000 in bracket 2 (IM amount 50k x 0.2%)
        Assert.True(with.InitialMarginUsd > without.InitialMarginUsd);
        Assert.Equal(without.MaintenanceMarginUsd, with.MaintenanceMarginUsd);
        Assert.EndsWith("(position + buy orders)", with.Standard!.Lines[0].Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void Order_on_an_instrument_not_held_gets_its_own_line_with_no_maintenance()
    {
        var requirement = Model.Compute([], [new OpenOrder("s1", TestMarket.LinearOption(OptionKind.Call, 65_000), OrderSide.Sell, 1m, 100m)], Market);

        var line = Assert.Single(requirement.Standard!.Lines);
        Assert.Equal(0m, line.Quantity);
        Assert.True(line.InitialMarginUsd > 0);
        Assert.Equal(0m, requirement.MaintenanceMarginUsd);
    }

    [Fact]
    public void Explanation_lines_sum_exactly_to_initial_and_maintenance_margin()
    {
        PropertyCheck.ForAll(PortfolioGen.Any(Market), portfolio =>
        {
            var valued = portfolio.Positions.Select(p => PositionValuation.Of(p, Market)).ToArray();
            var requirement = Model.Compute(valued, portfolio.OpenOrders, Market);
            var lines = requirement.Standard!.Lines;

            Assert.Equal(requirement.InitialMarginUsd, lines.Sum(l => l.InitialMarginUsd));
            Assert.Equal(requirement.MaintenanceMarginUsd, lines.Sum(l => l.MaintenanceMarginUsd));
            Assert.Equal(portfolio.Positions.Select(p => p.Symbol).Concat(portfolio.OpenOrders.Select(o => o.Symbol)).Distinct().Count(), lines.Count);
        }, cases: 150);
    }

    private static MarginRequirement Compute(Position position) =>
        Model.Compute([PositionValuation.Of(position, Market)], [], Market);
}
