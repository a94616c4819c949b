using CrossMargin.Risk.Historical;
using CrossMargin.Risk.Margin.Scenarios;
using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Simm;

namespace CrossMargin.Risk.Margin;

/// <summary>A model's requirement with the explanation of how it came about.</summary>
/// <param name="InitialMarginUsd">Initial margin in USD, open orders included.</param>
/// <param name="MaintenanceMarginUsd">Maintenance margin in USD.</param>
/// <param name="Standard">The per-position breakdown when the standard model produced it.</param>
/// <param name="Portfolio">The per-underlying breakdown when the scenario model produced it.</param>
/// <param name="Simm">The per-risk-class breakdown when the sensitivity (SIMM-style) model produced it.</param>
/// <param name="Historical">The VaR/ES figures when historical simulation produced it.</param>
/// <param name="Composite">Every component's requirement when a composite (max of models) produced it.</param>
public sealed record MarginRequirement(
    decimal InitialMarginUsd,
    decimal MaintenanceMarginUsd,
    StandardMarginExplanation? Standard = null,
    PortfolioMarginExplanation? Portfolio = null,
    SimmExplanation? Simm = null,
    HistoricalExplanation? Historical = null,
    CompositeExplanation? Composite = null)
{
    /// <summary>No positions, no requirement.</summary>
    public static MarginRequirement None { get; } = new(0, 0);
}
