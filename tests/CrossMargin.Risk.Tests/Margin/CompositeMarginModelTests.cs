using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Margin;

public class CompositeMarginModelTests
{
    [Fact]
    public void Composite_charges_the_largest_initial_and_the_largest_maintenance_of_its_models()
    {
        var market = TestMarket.Build();
        var standard = TestParameters.StandardModel();
        var deribit = new ScenarioMarginModel(TestParameters.DeribitLike());
        var composite = new CompositeMarginModel([standard, deribit]);
        var portfolio = new Portfolio("a", [new CollateralBalance("USDT", 100_000)],
            [new Position(TestMarket.BtcUsdt, 1, 60_000), new Position(TestMarket.LinearOption(OptionKind.Put, 55000), -2, 0)]);

        var a = TestParameters.Calculator(standard).Assess(portfolio, market).Requirement;
        var b = TestParameters.Calculator(deribit).Assess(portfolio, market).Requirement;
        var c = TestParameters.Calculator(composite).Assess(portfolio, market);

        Assert.Equal("composite(standard+portfolio)", c.Model);
        Assert.Equal(Math.Max(a.InitialMarginUsd, b.InitialMarginUsd), c.Requirement.InitialMarginUsd);
        Assert.Equal(Math.Max(a.MaintenanceMarginUsd, b.MaintenanceMarginUsd), c.Requirement.MaintenanceMarginUsd);
        var binding = a.InitialMarginUsd >= b.InitialMarginUsd ? "standard" : "portfolio";
        Assert.Equal(binding, c.Requirement.Composite!.InitialBinding);
        Assert.Equal(2, c.Requirement.Composite.Components.Count);
    }

    [Fact]
    public void Composite_needs_distinct_models()
    {
        Assert.Throws<ArgumentException>(() => new CompositeMarginModel([TestParameters.StandardModel(), TestParameters.StandardModel()]));
        Assert.Throws<ArgumentException>(() => new CompositeMarginModel([]));
    }

    [Fact]
    public void Each_account_is_margined_by_its_own_model_and_the_rest_by_the_default()
    {
        var market = TestMarket.Build();
        var standard = TestParameters.StandardModel();
        var composite = new CompositeMarginModel([standard, new ScenarioMarginModel(TestParameters.DeribitLike())]);
        var selection = new AccountModelSelection(standard, new Dictionary<string, IMarginModel> { ["desk"] = composite }, TestParameters.Calculator);
        Portfolio Of(string id) => new(id, [new CollateralBalance("USDT", 100_000)], [new Position(TestMarket.BtcUsdt, 1, 60_000)]);

        Assert.Equal("standard", selection.Assess(Of("retail"), market).Model);
        Assert.Equal(composite.Name, selection.Assess(Of("desk"), market).Model);
        Assert.Same(selection.CalculatorFor("a"), selection.CalculatorFor("b"));
    }
}
