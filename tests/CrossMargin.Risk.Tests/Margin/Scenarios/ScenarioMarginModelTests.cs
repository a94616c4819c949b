using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using CrossMargin.Risk.Valuation;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Margin.Scenarios;

public class ScenarioMarginModelTests
{
    private static readonly MarketSnapshot Market = TestMarket.Build();

    public static TheoryData<string> Models => ["span", "deribit"];

    [Fact]
    public void Span_long_future_needs_price_range_times_notional_bound_by_the_minus_one_range_row()
    {
        // 2 BTC of the March future at 60,300: notional 120,600, range 16%. The -2 range row loses 2 x 16% but
        // only 35% counts (0.70 < 1), so the -1 row binds; vol up comes first of the two equal -1 rows.
        var risk = Assess(TestParameters.SpanCalculator(), new Position(TestMarket.BtcMarchFuture, 2m, 60_300m));

        var btc = Assert.Single(risk.Requirement.Portfolio!.Underlyings);
        Assert.Equal(0.16m * 120_600m, btc.ScanRiskUsd);
        Assert.Equal(0.16m * 120_600m, risk.Requirement.InitialMarginUsd);
        Assert.Equal(12, btc.BindingScenario);
        Assert.Equal("-1 x range, vol up", btc.BindingLabel);
        Assert.Equal(-19_296m, btc.ScenarioPnlUsd);
    }

    [Fact]
    public void Position_and_its_exact_offset_need_no_scenario_margin()
    {
        // The USDC listing has the same terms, mark and vol as the USDT one, so its vector is identical and
        // q x v + (-q) x v is exactly 0 in every row. The SPAN-like fixture sets short option minimum and roll
        // shock to 0 because both are charged per gross contract: the offset would still pay them (see below).
        var calculator = TestParameters.SpanCalculator();
        var gen = Gen.Zip(Gen.Elements(PortfolioGen.Twins.ToArray()), Gen.Choose(-50, 50).Where(q => q != 0));

        PropertyCheck.ForAll(gen, t =>
        {
            var ((symbol, twin), size) = t;
            var q = size / 10m;
            var mark = Market.MarkOf(symbol).MarkPrice;
            var result = calculator.Assess(new Portfolio("offset", [], [new Position(symbol, q, mark), new Position(twin, -q, mark)]), Market);

            Assert.Equal(0m, result.Requirement.InitialMarginUsd);
            Assert.Equal(0m, result.Requirement.MaintenanceMarginUsd);
            Assert.Equal(-1, result.Requirement.Portfolio!.Underlyings.Single().BindingScenario);
        }, cases: 100);
    }

    [Fact]
    public void Exact_offset_still_pays_the_gross_charges_when_they_are_configured()
    {
        // Deribit-like: 1% short option minimum on the short leg, 1% roll shock on each perpetual leg.
        var calculator = TestParameters.DeribitCalculator();
        var call = TestMarket.LinearOption(OptionKind.Call, 60_000);
        var options = Assess(calculator, new Position(call, 2m, 100m), new Position(TestMarket.LinearOption(OptionKind.Call, 60_000, "USDC"), -2m, 100m));
        var perps = Assess(calculator, new Position(TestMarket.BtcUsdt, 1m, 60_000m), new Position(TestMarket.BtcUsdc, -1m, 60_000m));

        Assert.Equal(0.01m * 2 * 60_000m, options.Requirement.InitialMarginUsd);
        Assert.Equal(0m, options.Requirement.Portfolio!.Underlyings[0].ScanRiskUsd);
        Assert.Equal(2 * 0.01m * 60_000m, perps.Requirement.InitialMarginUsd);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Scaling_a_portfolio_by_k_scales_its_scenario_margin_by_k(string model)
    {
        // Everything in the model is linear in quantity (vectors, minimums, roll, credits); the kernel is double and
        // each explained figure is snapped to 1e-6 USD, so allow 1e-9 relative plus 1e-5 per unit of (1 + k).
        // Compared before the cent rounding, which is not linear (ceil(k x) != k ceil(x)).
        var calculator = MarginPropertiesTests.CalculatorFor(model);
        var gen = Gen.Zip(PortfolioGen.Any(Market), Gen.Choose(1, 100).Select(k => k / 10m));

        PropertyCheck.ForAll(gen, t =>
        {
            var (portfolio, k) = t;
            var once = calculator.Assess(portfolio, Market).Requirement;
            var scaled = calculator.Assess(portfolio.Scale(k), Market).Requirement;
            var tolerance = (1e-9m * k * once.InitialMarginUsd) + (1e-5m * (1 + k));

            Assert.InRange(scaled.InitialMarginUsd - (k * once.InitialMarginUsd), -tolerance, tolerance);
            Assert.InRange(scaled.MaintenanceMarginUsd - (k * once.MaintenanceMarginUsd), -tolerance, tolerance);
        }, cases: 100);
    }

    public static TheoryData<string, string> Hedges => new()
    {
        { "span", "long future + long put" },
        { "deribit", "long future + long put" },
        { "span", "short call + long call spread" },
        { "deribit", "short call + long call spread" },
        { "span", "short call + long delta in perpetual" },
        { "deribit", "short call + long delta in perpetual" },
        { "deribit", "inverse short put + short inverse perpetual" },
    };

    [Theory]
    [MemberData(nameof(Hedges))]
    public void Hedged_portfolio_needs_less_margin_than_its_legs(string model, string hedge)
    {
        var calculator = MarginPropertiesTests.CalculatorFor(model);
        Position[] legs = hedge switch
        {
            "long future + long put" => [new(TestMarket.BtcMarchFuture, 1m, 60_300m), new(TestMarket.LinearOption(OptionKind.Put, 60_000), 1m, 0m)],
            "short call + long call spread" => [new(TestMarket.LinearOption(OptionKind.Call, 60_000), -1m, 0m), new(TestMarket.LinearOption(OptionKind.Call, 65_000), 1m, 0m)],
            "short call + long delta in perpetual" => [new(TestMarket.LinearOption(OptionKind.Call, 60_000), -2m, 0m), new(TestMarket.BtcUsdt, 1.1m, 60_000m)],
            _ => [new(TestMarket.InverseOption(OptionKind.Put, 55_000), -3m, 0m), new(TestMarket.BtcInversePerp, -6_000m, 60_030m)],
        };

        var together = Assess(calculator, legs).Requirement.InitialMarginUsd;
        var apart = legs.Sum(leg => Assess(calculator, leg).Requirement.InitialMarginUsd);

        Assert.True(together < apart, $"{hedge}: hedged {together} is not below the legs' {apart}");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Explanation_adds_up_exactly(string model)
    {
        var parameters = model == "span"
            ? TestParameters.SpanLike([new CorrelationOffset(["BTC", "ETH"], 0.5)])
            : TestParameters.DeribitLike([new CorrelationOffset(["BTC", "ETH"], 0.5)]);
        var calculator = TestParameters.Calculator(new ScenarioMarginModel(parameters));

        PropertyCheck.ForAll(PortfolioGen.Any(Market), portfolio =>
        {
            var requirement = calculator.Assess(portfolio, Market).Requirement;
            var explanation = requirement.Portfolio!;
            foreach (var u in explanation.Underlyings)
            {
                Assert.Equal(u.ScenarioPnlUsd, u.Contributions.Sum(c => c.PnlUsd));
                Assert.Equal(Math.Max(u.ScanRiskUsd, u.ShortOptionMinimumUsd) + u.RollShockUsd, u.RiskUsd);
                // The scan risk is the binding row's weighted loss (each contribution snapped to 1e-6 USD).
                var weight = u.BindingScenario < 0 ? 0 : (decimal)parameters.Scenarios[u.BindingScenario].Weight;
                var tolerance = 1e-6m * (u.Contributions.Count + 1);
                Assert.InRange(u.ScanRiskUsd - Math.Max(0, -u.ScenarioPnlUsd * weight), -tolerance, tolerance);
            }

            Assert.Equal(requirement.InitialMarginUsd, explanation.Underlyings.Sum(u => u.RiskUsd) - explanation.Offsets.Sum(o => o.CreditUsd));
            Assert.Equal(requirement.MaintenanceMarginUsd, explanation.PositionsInitialMarginUsd * (decimal)parameters.MaintenanceFactor);
        }, cases: 100);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Open_orders_raise_initial_margin_but_not_maintenance(string model)
    {
        var calculator = MarginPropertiesTests.CalculatorFor(model);
        var position = new Position(TestMarket.BtcUsdt, 1m, 60_000m);
        var without = calculator.Assess(new Portfolio("o", [], [position]), Market).Requirement;
        var with = calculator.Assess(new Portfolio("o", [], [position], [new OpenOrder("b1", TestMarket.BtcUsdt, OrderSide.Buy, 2m, 59_000m)]), Market).Requirement;

        Assert.True(with.InitialMarginUsd > without.InitialMarginUsd);
        Assert.Equal(without.MaintenanceMarginUsd, with.MaintenanceMarginUsd);
        Assert.Equal("positions + buy orders", with.Portfolio!.OpenOrderCase);
        Assert.Equal(without.InitialMarginUsd, with.Portfolio.PositionsInitialMarginUsd);
    }

    [Fact]
    public void Btc_long_against_eth_short_gets_a_credit_only_when_the_group_is_configured()
    {
        Position[] legs = [new(TestMarket.BtcUsdt, 1m, 60_000m), new(TestMarket.EthUsdt, -20m, 3_000m)];
        var without = Assess(TestParameters.DeribitCalculator(), legs).Requirement;
        var with = Assess(TestParameters.Calculator(new ScenarioMarginModel(TestParameters.DeribitLike([new CorrelationOffset(["BTC", "ETH"], 0.7)]))), legs).Requirement;

        Assert.Empty(without.Portfolio!.Offsets);
        var credit = Assert.Single(with.Portfolio!.Offsets);
        // BTC alone loses 16% x 60,000 = 9,600; ETH short alone 20% x 60,000 = 12,000; together the +1 row loses
        // 12,000 - 9,600 = 2,400. Credit = 0.7 x (21,600 - 2,400) = 13,440.
        Assert.Equal(21_600m, credit.StandaloneScanRiskUsd);
        Assert.Equal(2_400m, credit.JointScanRiskUsd);
        Assert.Equal(13_440m, credit.CreditUsd);
        Assert.Equal(without.InitialMarginUsd - 13_440m, with.InitialMarginUsd);
    }

    [Fact]
    public void Same_direction_btc_and_eth_get_no_credit()
    {
        Position[] legs = [new(TestMarket.BtcUsdt, 1m, 60_000m), new(TestMarket.EthUsdt, 20m, 3_000m)];
        var with = Assess(TestParameters.Calculator(new ScenarioMarginModel(TestParameters.DeribitLike([new CorrelationOffset(["BTC", "ETH"], 1.0)]))), legs).Requirement;

        Assert.Empty(with.Portfolio!.Offsets);
    }

    [Fact]
    public void Full_credit_on_a_perfect_cross_hedge_leaves_initial_margin_at_zero_not_below()
    {
        // BTC long and ETH short of the same notional and range: joint loss 0, so a 100% credit gives back both
        // scan risks. Each scan risk is 9,600.0000004 USD: snapped to 1e-6 they are 9,600.000000 each, while their
        // sum 19,200.0000008 snaps to 19,200.000001, one micro-dollar more than the risks it credits back.
        var parameters = new PortfolioMarginParameters(
            TestParameters.SpanLike().Scenarios,
            new Dictionary<string, UnderlyingRiskParameters>(StringComparer.Ordinal)
            {
                [PortfolioMarginParameters.DefaultKey] = new(0.16, new VolShockRule(Relative: false, Up: 0.1, Down: 0.1)),
            },
            maintenanceFactor: 0.8,
            offsets: [new CorrelationOffset(["BTC", "ETH"], 1.0)]);
        var market = TestMarket.Build(btc: 60_000.0000025m, eth: 3_000.000000125m);
        var requirement = TestParameters.Calculator(new ScenarioMarginModel(parameters))
            .Assess(new Portfolio("x", [], [new Position(TestMarket.BtcUsdt, 1m, 60_000m), new Position(TestMarket.EthUsdt, -20m, 3_000m)]), market)
            .Requirement;

        Assert.Equal(2, requirement.Portfolio!.Underlyings.Count);
        Assert.Single(requirement.Portfolio.Offsets);
        Assert.True(requirement.InitialMarginUsd >= 0, $"IM {requirement.InitialMarginUsd}");
        Assert.True(requirement.MaintenanceMarginUsd >= 0, $"MM {requirement.MaintenanceMarginUsd}");
        Assert.Equal(requirement.InitialMarginUsd,
            requirement.Portfolio.Underlyings.Sum(u => u.RiskUsd) - requirement.Portfolio.Offsets.Sum(o => o.CreditUsd));
    }

    [Fact]
    public void Full_correlation_credit_never_makes_initial_margin_negative()
    {
        var calculator = TestParameters.Calculator(new ScenarioMarginModel(TestParameters.SpanLike([new CorrelationOffset(["BTC", "ETH"], 1.0)])));

        PropertyCheck.ForAll(PortfolioGen.Any(Market), portfolio =>
        {
            var requirement = calculator.Assess(portfolio, Market).Requirement;
            Assert.True(requirement.InitialMarginUsd >= 0, $"IM {requirement.InitialMarginUsd}");
            Assert.All(requirement.Portfolio!.Offsets, o => Assert.True(o.CreditUsd <= o.StandaloneScanRiskUsd));
        }, cases: 150);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Allocation_free_path_agrees_with_the_explained_margin(string model)
    {
        var parameters = model == "span"
            ? TestParameters.SpanLike([new CorrelationOffset(["BTC", "ETH"], 0.5)])
            : TestParameters.DeribitLike([new CorrelationOffset(["BTC", "ETH"], 0.5)]);
        var scenarioModel = new ScenarioMarginModel(parameters);
        var calculator = TestParameters.Calculator(scenarioModel);
        var set = scenarioModel.VectorsFor(Market);

        PropertyCheck.ForAll(PortfolioGen.Any(Market, withOrders: false), portfolio =>
        {
            var explained = calculator.Assess(portfolio, Market).Requirement.InitialMarginUsd;
            var legs = portfolio.Positions.Select(p => set.InstrumentIndexOf(p.Symbol)).ToArray();
            var quantities = portfolio.Positions.Select(p => (double)p.Quantity).ToArray();
            var accrued = new double[set.Underlyings.Count];
            foreach (var p in portfolio.Positions.Select(p => PositionValuation.Of(p, Market)).Where(v => v.Instrument.Settlement == SettlementKind.Inverse))
            {
                accrued[set.UnderlyingIndexOf(p.Instrument.Underlying)] += (double)p.Value;
            }

            var fast = ScenarioMarginModel.InitialMargin(set, legs, quantities, accrued, new double[set.Underlyings.Count * set.ScenarioCount]);

            Assert.Equal((double)explained, fast, 0.00001 + (1e-12 * fast));
        }, cases: 100);
    }

    private static AccountMargin Assess(MarginCalculator calculator, params Position[] positions) =>
        calculator.Assess(new Portfolio("pm", [], positions), Market);
}
