using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Margin.Scenarios;

public class ScenarioVectorSetTests
{
    private static readonly MarketSnapshot Market = TestMarket.Build();

    [Fact]
    public void Inverse_perpetual_usd_pnl_per_contract_is_size_times_move_times_index_over_mark()
    {
        var parameters = TestParameters.DeribitLike();
        var set = ScenarioVectorSet.Build(parameters, Market);
        var perp = set.InstrumentIndexOf(TestMarket.BtcInversePerp);
        var s = (double)Market.PriceOf("BTC");
        var p = (double)Market.MarkOf(TestMarket.BtcInversePerp).MarkPrice;
        Assert.NotEqual(s, p);

        var vector = set.PnlVector(perp);
        for (var row = 0; row < set.ScenarioCount; row++)
        {
            var m = parameters.Scenarios[row].FractionFor(0.16);
            // Coin P&L of one $10 contract, 10 x (1/P - 1/P'), at the shocked coin price S' = S(1 + m).
            var fromCoin = 10 * ((1 / p) - (1 / (p * (1 + m)))) * s * (1 + m);
            Assert.Equal(10 * m * s / p, vector[row], 9);
            Assert.Equal(fromCoin, vector[row], 9);
        }
    }

    [Fact]
    public void Perpetual_roll_shock_is_its_notional_times_the_minimum_annualised_move()
    {
        // A perpetual has no expiry, so it always pays the floor rate: 5,000 contracts x $10 = $50,000 x 1% = $500.
        var model = new ScenarioMarginModel(TestParameters.DeribitLike());
        var set = model.VectorsFor(Market);
        Assert.Equal(10 * 0.01, set.RollShockPerContract(set.InstrumentIndexOf(TestMarket.BtcInversePerp)), 12);

        var risk = TestParameters.Calculator(model)
            .Assess(new Portfolio("roll", [], [new Position(TestMarket.BtcInversePerp, -5_000m, 60_000m)]), Market)
            .Requirement.Portfolio!.Underlyings.Single();
        Assert.Equal(500m, risk.RollShockUsd);
        Assert.Equal(risk.ScanRiskUsd + 500m, risk.RiskUsd);
    }

    [Fact]
    public void Linear_usdt_perpetual_pnl_is_size_times_mark_times_move()
    {
        var parameters = TestParameters.SpanLike();
        var set = ScenarioVectorSet.Build(parameters, Market);
        var vector = set.PnlVector(set.InstrumentIndexOf(TestMarket.EthUsdt));

        for (var row = 0; row < set.ScenarioCount; row++)
        {
            Assert.Equal(3_000 * parameters.Scenarios[row].FractionFor(0.20), vector[row], 9);
        }
    }

    [Fact]
    public void Span_array_has_sixteen_rows_with_the_extreme_moves_counted_at_35_percent()
    {
        var scenarios = TestParameters.SpanLike().Scenarios;

        Assert.Equal(16, scenarios.Count);
        Assert.Equal([2.0, -2.0], scenarios.Where(s => s.Weight == 0.35).Select(s => s.Move));
        Assert.All(scenarios.Where(s => s.Weight != 0.35), s => Assert.InRange(Math.Abs(s.Move), 0, 1));
    }

    [Fact]
    public void Options_are_not_revalued_per_account_the_snapshot_vectors_are_reused()
    {
        var model = new ScenarioMarginModel(TestParameters.SpanLike());

        Assert.Same(model.VectorsFor(Market), model.VectorsFor(Market));
    }
}
