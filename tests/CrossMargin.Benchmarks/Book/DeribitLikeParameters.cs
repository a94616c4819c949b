using CrossMargin.Risk.Margin.Scenarios;

namespace CrossMargin.Benchmarks.Book;

/// <summary>
/// Deribit-like portfolio margin parameters, built in code: 9 moves from -1 to +1 price range in steps of 0.25,
/// each with vol up, none and down (27 rows), plus the extended moves -66%, -33%, +50%, +100% with vol up, weighted
/// price_range / |move|. A scenario's weight is one number for every underlying, so the extended weights use the
/// BTC range (0.16); ETH's range is 0.18. Vol shocks are relative (up 0.5, down 0.25) scaled by (30/days)^0.30
/// within 30 days and ^0.13 beyond, up-shocked vol at least 0.5. Roll shock 7.5% a year with a 1% floor (an
/// assumption: Deribit publishes the floor only). BTC and ETH offset each other at a credit rate of 0.5.
/// </summary>
internal static class DeribitLikeParameters
{
    private const double BtcRange = 0.16;
    private const double EthRange = 0.18;
    private static readonly double[] ExtendedMoves = [-0.66, -0.33, 0.5, 1.0];

    /// <summary>Creates the parameters (31 rows).</summary>
    public static PortfolioMarginParameters Create()
    {
        var scenarios = new List<Scenario>();
        for (var step = -4; step <= 4; step++)
        {
            foreach (var vol in new[] { VolShockDirection.Up, VolShockDirection.None, VolShockDirection.Down })
            {
                scenarios.Add(new Scenario(step * 0.25, MoveUnit.PriceRange, vol, Weight: 1));
            }
        }

        scenarios.AddRange(ExtendedMoves.Select(m => new Scenario(m, MoveUnit.Absolute, VolShockDirection.Up, BtcRange / Math.Abs(m))));

        var shock = new VolShockRule(Relative: true, Up: 0.5, Down: 0.25, ReferenceDays: 30, ShortTermPower: 0.30,
            LongTermPower: 0.13, MinShockedUpVol: 0.5);
        var underlyings = new Dictionary<string, UnderlyingRiskParameters>(StringComparer.Ordinal)
        {
            ["BTC"] = new(BtcRange, shock, AnnualisedMoveRisk: 0.075, MinAnnualisedMove: 0.01),
            ["ETH"] = new(EthRange, shock, AnnualisedMoveRisk: 0.075, MinAnnualisedMove: 0.01),
            [PortfolioMarginParameters.DefaultKey] = new(EthRange, shock, AnnualisedMoveRisk: 0.075, MinAnnualisedMove: 0.01),
        };
        return new PortfolioMarginParameters(scenarios, underlyings, maintenanceFactor: 0.8,
            offsets: [new CorrelationOffset(["BTC", "ETH"], CreditRate: 0.5)]);
    }
}
