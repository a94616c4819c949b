using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Margin.Standard;

namespace CrossMargin.Risk.Serialization;

/// <summary>A parameter file's content: collateral haircuts, standard parameters, and the cross pool's model.</summary>
/// <param name="Description">What the file reproduces, from the file.</param>
/// <param name="Collateral">Collateral haircuts.</param>
/// <param name="Standard">Standard parameters (isolated positions, and the cross pool when the model is standard).</param>
/// <param name="Portfolio">Scenario parameters when the cross pool's model is portfolio margin, else null.</param>
public sealed record RiskParameters(string Description, CollateralSchedule Collateral, StandardMarginParameters Standard, PortfolioMarginParameters? Portfolio)
{
    /// <summary>A calculator for these parameters.</summary>
    public MarginCalculator CreateCalculator()
    {
        var standard = new StandardMarginModel(Standard);
        IMarginModel cross = Portfolio is null ? standard : new ScenarioMarginModel(Portfolio);
        return new MarginCalculator(cross, standard, Collateral);
    }
}
