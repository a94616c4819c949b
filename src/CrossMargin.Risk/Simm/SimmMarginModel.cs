using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Simm;

/// <summary>
/// Greeks-based margin in the style of ISDA SIMM (<see cref="SimmCalculator"/>): IM = delta + vega + curvature
/// margin, worst of the open-order cases; MM = factor x IM of the positions alone.
/// </summary>
public sealed class SimmMarginModel : IMarginModel
{
    /// <summary>Creates the model after checking <paramref name="parameters"/>.</summary>
    public SimmMarginModel(SimmParameters parameters) => Parameters = parameters.Validate();

    /// <summary>The model's parameters.</summary>
    public SimmParameters Parameters { get; }

    /// <inheritdoc />
    public string Name => "simm";

    /// <inheritdoc />
    public MarginRequirement Compute(IReadOnlyList<PositionValuation> positions, IReadOnlyList<OpenOrder> openOrders, MarketSnapshot market)
    {
        var evaluated = Holding.Cases(positions, openOrders, market.GetInstrument).Select(c =>
        {
            var sensitivities = SimmCalculator.Sensitivities(c.Holdings, market);
            var (delta, vega, curvature) = SimmCalculator.Compute(sensitivities, Parameters);
            var im = delta.MarginUsd + vega.MarginUsd + curvature.MarginUsd;
            return (Im: im, Explanation: new SimmExplanation(c.Case, sensitivities, delta, vega, curvature, 0, Parameters.MaintenanceFactor));
        }).ToArray();
        var binding = evaluated.MaxBy(e => e.Im);
        var positionsIm = evaluated[0].Im;
        return new MarginRequirement(binding.Im, positionsIm * (decimal)Parameters.MaintenanceFactor,
            Simm: binding.Explanation with { PositionsInitialMarginUsd = positionsIm });
    }
}
