using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using CrossMargin.Risk.Valuation;
using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Margin;

/// <summary>The figures-only calculation (the engine's hot path) against the explained assessment (what ExplainMargin shows).</summary>
public class MarginFiguresTests
{
    private static readonly MarketSnapshot Market = TestMarket.Build();

    public static TheoryData<string> Models => ["standard", "span", "deribit", "composite"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Figures_equal_the_explained_assessment_to_the_last_digit_for_any_portfolio(string model)
    {
        var calculator = CalculatorFor(model);
        PropertyCheck.ForAll(WithIsolation(PortfolioGen.Any(Market)), portfolio =>
        {
            var explained = calculator.Assess(portfolio, Market);
            var figures = calculator.Figures(portfolio, Market);
            Assert.Equal(Describe(explained.Figures), Describe(figures));
        }, cases: 150);
    }

    [Fact]
    public void Standard_figures_equal_the_sum_of_the_explained_lines_with_orders_on_unheld_instruments()
    {
        var model = TestParameters.StandardModel();
        PropertyCheck.ForAll(PortfolioGen.Any(Market), portfolio =>
        {
            // Orders on instruments the account does not hold, and two orders on one instrument, reach the branch
            // of the standard model that margins an order alone.
            var unheld = TestMarket.Symbols.First(s => portfolio.Positions.All(p => p.Symbol != s));
            var orders = portfolio.OpenOrders.Append(new OpenOrder("u1", unheld, OrderSide.Buy, 2m, Market.MarkOf(unheld).MarkPrice))
                .Append(new OpenOrder("u2", unheld, OrderSide.Sell, 3m, Market.MarkOf(unheld).MarkPrice)).ToArray();
            var valued = portfolio.Positions.Where(p => p.Quantity != 0).Select(p => PositionValuation.Of(p, Market)).ToArray();
            var explained = model.Compute(valued, orders, Market);
            var figures = model.ComputeFigures(valued, orders, Market);
            Assert.Equal((explained.InitialMarginUsd.ToString(), explained.MaintenanceMarginUsd.ToString()),
                (figures.InitialMarginUsd.ToString(), figures.MaintenanceMarginUsd.ToString()));
        }, cases: 100);
    }

    [Fact]
    public void A_standard_model_reused_across_moving_snapshots_gives_at_each_what_a_fresh_one_gives()
    {
        // The model keeps per-snapshot option rates; a moved market must never be margined with the old ones.
        var reused = TestParameters.StandardCalculator();
        var markets = new[] { 60_000m, 54_000m, 66_000m, 60_000m }.Select(btc => TestMarket.Build(btc, btc / 20m)).ToArray();
        PropertyCheck.ForAll(PortfolioGen.Any(Market), portfolio =>
        {
            var options = portfolio.Positions.Count(p => markets[0].GetInstrument(p.Symbol) is Instruments.OptionContract);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var market in markets)
            {
                var expected = Describe(TestParameters.StandardCalculator().Assess(portfolio, market).Figures);
                Assert.Equal(expected, Describe(reused.Figures(portfolio, market)));
                Assert.Equal(expected, Describe(reused.Assess(portfolio, market).Figures));
                seen.Add(expected);
            }

            // Moves of 10% change the figures of any portfolio holding options, so the comparison above had something to catch.
            Assert.True(options == 0 || seen.Count > 1);
        }, cases: 60);
    }

    [Fact]
    public void Figures_of_a_portfolio_with_an_unknown_instrument_fail_as_the_assessment_does()
    {
        var portfolio = new Portfolio("acc-x", [new CollateralBalance("USDT", 1_000m)], [new Position("NOPE-PERP", 1m, 100m)]);
        var calculator = TestParameters.StandardCalculator();

        var assess = Record.Exception(() => calculator.Assess(portfolio, Market));
        var figures = Record.Exception(() => calculator.Figures(portfolio, Market));

        Assert.NotNull(assess);
        Assert.Equal(assess.GetType(), figures?.GetType());
    }

    // Some positions isolated with a seeded margin, so the isolated branch is compared too.
    private static Gen<Portfolio> WithIsolation(Gen<Portfolio> portfolios) =>
        from portfolio in portfolios
        from isolate in Gen.ArrayOf(Gen.Elements(false, false, true), 6)
        from margins in Gen.ArrayOf(Gen.Choose(0, 20_000), 6)
        select new Portfolio(portfolio.AccountId, portfolio.Balances,
            portfolio.Positions.Select((p, k) => isolate[k] ? p with { IsolatedMargin = margins[k] } : p), portfolio.OpenOrders);

    private static MarginCalculator CalculatorFor(string model) => model == "composite"
        ? TestParameters.Calculator(new CompositeMarginModel([TestParameters.StandardModel(), new ScenarioMarginModel(TestParameters.DeribitLike())]))
        : MarginPropertiesTests.CalculatorFor(model);

    // Strings, so that 1.0 and 1.00 (equal decimals of different scale) would still show as different.
    private static string Describe(MarginFigures f) =>
        $"{f.ValuationTime:O}|{f.Model}|{f.EquityUsd}|{f.InitialMarginUsd}|{f.MaintenanceMarginUsd}|{f.Status}|{f.AvailableMarginUsd}|{f.MarginRatio}|"
        + string.Join(";", f.Isolated.Select(i => $"{i.Symbol}:{i.EquityUsd}:{i.InitialMarginUsd}:{i.MaintenanceMarginUsd}:{i.Status}:{i.LiquidationPrice}"));
}
