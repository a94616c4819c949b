using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Stress;

/// <summary>
/// Reverse stress: the smallest uniform move of every underlying (vols unchanged) that leaves the cross pool's
/// unrounded equity below zero. Each direction is scanned outward on a grid of <see cref="GridStep"/> to bracket the
/// first crossing (an option book's equity need not be monotone in the move, so bisection over the whole range could
/// land on a later crossing), then the bracket is bisected until it is at most <see cref="Tolerance"/> wide.
/// Guarantee: bankrupt at the reported move; solvent at every grid point before it and at the bracket's solvent end.
/// </summary>
/// <param name="Tolerance">Final bracket width, as a relative move (1e-6 = 0.0001%).</param>
/// <param name="GridStep">Scan step (0.01 = 1%).</param>
/// <param name="MaxDown">Largest move down searched (0.99 = -99%).</param>
/// <param name="MaxUp">Largest move up searched (5 = +500%).</param>
public sealed record ReverseStress(double Tolerance = 1e-6, double GridStep = 0.01, double MaxDown = 0.99, double MaxUp = 5)
{
    /// <summary>Searches both directions for <paramref name="portfolio"/> at <paramref name="market"/>.</summary>
    public ReverseStressResult Find(MarginCalculator calculator, Portfolio portfolio, MarketSnapshot market)
    {
        if (!(Tolerance > 0) || !(GridStep > Tolerance) || !(MaxDown is > 0 and < 1) || !(MaxUp > 0))
        {
            throw new InvalidOperationException("Need 0 < tolerance < grid step, 0 < max down < 1 and max up > 0.");
        }

        decimal EquityAt(double move) => Equity(calculator.Assess(portfolio, MarketShock.Uniform(move).Apply(market)));
        return new ReverseStressResult(Search(EquityAt, -1, MaxDown), Search(EquityAt, +1, MaxUp), Tolerance, GridStep);
    }

    /// <summary>The cross pool's unrounded equity.</summary>
    public static decimal Equity(AccountMargin m) => m.CollateralValueUsd + m.UnrealisedPnlUsd + m.OptionValueUsd;

    private ReverseStressPoint? Search(Func<double, decimal> equityAt, int sign, double limit)
    {
        if (equityAt(0) < 0)
        {
            return new ReverseStressPoint(0, 0, equityAt(0));
        }

        var solvent = 0.0;
        for (var k = 1; ; k++)
        {
            var size = Math.Min(k * GridStep, limit);
            if (equityAt(sign * size) < 0)
            {
                var bankrupt = size;
                while (bankrupt - solvent > Tolerance)
                {
                    var mid = 0.5 * (solvent + bankrupt);
                    if (equityAt(sign * mid) < 0)
                    {
                        bankrupt = mid;
                    }
                    else
                    {
                        solvent = mid;
                    }
                }

                return new ReverseStressPoint(sign * bankrupt, sign * solvent, equityAt(sign * bankrupt));
            }

            solvent = size;
            if (size >= limit)
            {
                return null;
            }
        }
    }
}
