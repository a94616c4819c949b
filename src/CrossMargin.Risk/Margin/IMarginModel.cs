using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Margin;

/// <summary>
/// Computes the requirement of the positions sharing one margin pool. Implementations are pure: the same inputs give
/// the same result, byte for byte.
/// </summary>
public interface IMarginModel
{
    /// <summary>A short name for reports ("standard", "portfolio").</summary>
    string Name { get; }

    /// <summary>
    /// The requirement of <paramref name="positions"/> (valued at <paramref name="market"/>) with
    /// <paramref name="openOrders"/> counted toward initial margin. Not yet rounded.
    /// </summary>
    MarginRequirement Compute(IReadOnlyList<PositionValuation> positions, IReadOnlyList<OpenOrder> openOrders, MarketSnapshot market);

    /// <summary>
    /// The same two numbers as <see cref="Compute"/>, to the last digit, without the explanation. Models whose
    /// explanation costs more than their arithmetic (formatted text, per-case objects) override it.
    /// </summary>
    RequirementFigures ComputeFigures(IReadOnlyList<PositionValuation> positions, IReadOnlyList<OpenOrder> openOrders, MarketSnapshot market)
    {
        var requirement = Compute(positions, openOrders, market);
        return new RequirementFigures(requirement.InitialMarginUsd, requirement.MaintenanceMarginUsd);
    }
}
