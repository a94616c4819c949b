using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Margin;

/// <summary>Properties every model must keep, whatever the portfolio.</summary>
public class MarginPropertiesTests
{
    private static readonly MarketSnapshot Market = TestMarket.Build();

    public static TheoryData<string> Models => ["standard", "span", "deribit"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Margin_is_never_negative_and_maintenance_never_exceeds_initial(string model)
    {
        var calculator = CalculatorFor(model);
        PropertyCheck.ForAll(PortfolioGen.Any(Market), portfolio =>
        {
            var result = calculator.Assess(portfolio, Market);
            Assert.True(result.Requirement.InitialMarginUsd >= 0, $"raw IM {result.Requirement.InitialMarginUsd}");
            Assert.True(result.Requirement.MaintenanceMarginUsd >= 0, $"raw MM {result.Requirement.MaintenanceMarginUsd}");
            Assert.True(result.MaintenanceMarginUsd >= 0);
            Assert.True(result.MaintenanceMarginUsd <= result.InitialMarginUsd, $"MM {result.MaintenanceMarginUsd} > IM {result.InitialMarginUsd}");
        }, cases: 150);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Rounding_never_favours_the_account(string model)
    {
        var calculator = CalculatorFor(model);
        PropertyCheck.ForAll(PortfolioGen.Any(Market), portfolio =>
        {
            var result = calculator.Assess(portfolio, Market);
            var rawEquity = result.CollateralValueUsd + result.UnrealisedPnlUsd + result.OptionValueUsd;
            Assert.InRange(rawEquity - result.EquityUsd, 0m, 0.0099999999m);
            Assert.InRange(result.InitialMarginUsd - result.Requirement.InitialMarginUsd, 0m, 0.0099999999m);
            Assert.InRange(result.MaintenanceMarginUsd - result.Requirement.MaintenanceMarginUsd, 0m, 0.0099999999m);
            Assert.Equal(0m, result.EquityUsd % 0.01m);
            Assert.Equal(0m, result.InitialMarginUsd % 0.01m);
        }, cases: 100);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Assessing_the_same_portfolio_twice_gives_identical_figures(string model)
    {
        PropertyCheck.ForAll(PortfolioGen.Any(Market), portfolio =>
        {
            // Fresh calculators and a fresh snapshot: nothing cached may change a digit.
            var first = Record(CalculatorFor(model).Assess(portfolio, TestMarket.Build()));
            var second = Record(CalculatorFor(model).Assess(portfolio, TestMarket.Build()));
            Assert.Equal(first, second);
        }, cases: 30);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Open_orders_never_lower_initial_margin_and_never_change_maintenance(string model)
    {
        var calculator = CalculatorFor(model);
        PropertyCheck.ForAll(PortfolioGen.Any(Market), portfolio =>
        {
            var with = calculator.Assess(portfolio, Market);
            var without = calculator.Assess(new Portfolio(portfolio.AccountId, portfolio.Balances, portfolio.Positions), Market);
            Assert.True(with.Requirement.InitialMarginUsd >= without.Requirement.InitialMarginUsd);
            Assert.Equal(without.Requirement.MaintenanceMarginUsd, with.Requirement.MaintenanceMarginUsd);
        }, cases: 100);
    }

    internal static MarginCalculator CalculatorFor(string model) => model switch
    {
        "standard" => TestParameters.StandardCalculator(),
        "span" => TestParameters.SpanCalculator(),
        _ => TestParameters.DeribitCalculator(),
    };

    /// <summary>Every decimal of an assessment and its explanation, written out (decimals keep their scale).</summary>
    internal static string Record(AccountMargin m)
    {
        var parts = new List<string>
        {
            $"{m.EquityUsd}|{m.InitialMarginUsd}|{m.MaintenanceMarginUsd}|{m.Status}",
            $"{m.Requirement.InitialMarginUsd}|{m.Requirement.MaintenanceMarginUsd}",
        };
        parts.AddRange(m.Collateral.Select(c => $"{c.Asset}:{c.CollateralValueUsd}"));
        parts.AddRange(m.Positions.Select(p => $"{p.Position.Symbol}:{p.ValueUsd}:{p.NotionalUsd}"));
        if (m.Requirement.Standard is { } s)
        {
            parts.AddRange(s.Lines.Select(l => $"{l.Symbol}:{l.InitialMarginUsd}:{l.MaintenanceMarginUsd}:{l.Basis}"));
        }

        if (m.Requirement.Portfolio is { } p)
        {
            parts.Add(p.OpenOrderCase);
            foreach (var u in p.Underlyings)
            {
                parts.Add($"{u.Underlying}:{u.BindingScenario}:{u.ScenarioPnlUsd}:{u.ScanRiskUsd}:{u.ShortOptionMinimumUsd}:{u.RollShockUsd}:{u.RiskUsd}");
                parts.AddRange(u.Contributions.Select(c => $"{c.Symbol}:{c.Quantity}:{c.PnlUsd}"));
            }

            parts.AddRange(p.Offsets.Select(o => $"{string.Join('+', o.Underlyings)}:{o.CreditUsd}"));
        }

        return string.Join('\n', parts);
    }
}
