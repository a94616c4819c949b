using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Risk.Stress;

/// <summary>
/// Applies a shock to a portfolio or a book and reassesses it with the same calculator the venue uses, so the
/// post-shock state (equity, margin, status) is exactly what the engine would see at those marks. Pure.
/// </summary>
public static class StressTester
{
    /// <summary>One portfolio under <paramref name="shock"/>.</summary>
    public static StressOutcome Apply(MarginCalculator calculator, Portfolio portfolio, MarketSnapshot market, MarketShock shock) =>
        Apply(calculator, portfolio, market, shock.Apply(market));

    /// <summary>A whole book under <paramref name="shock"/>; the shocked market is built once.</summary>
    public static BookStressResult ApplyToBook(MarginCalculator calculator, IEnumerable<Portfolio> book, MarketSnapshot market, MarketShock shock)
    {
        var shocked = shock.Apply(market);
        var outcomes = book.Select(p => Apply(calculator, p, market, shocked)).ToArray();
        var counts = Enum.GetValues<MarginStatus>().ToDictionary(s => s, s => outcomes.Count(o => o.After.Status == s));
        return new BookStressResult(outcomes, outcomes.Sum(o => o.PnlUsd), outcomes.Sum(o => o.ShortfallUsd), outcomes.Sum(o => o.DeficitUsd), counts);
    }

    /// <summary>Unrounded equity of the cross pool plus the isolated positions' equity.</summary>
    public static decimal EquityOf(AccountMargin m) =>
        m.CollateralValueUsd + m.UnrealisedPnlUsd + m.OptionValueUsd + m.Isolated.Sum(i => i.EquityUsd);

    private static StressOutcome Apply(MarginCalculator calculator, Portfolio portfolio, MarketSnapshot market, MarketSnapshot shocked)
    {
        var before = calculator.Assess(portfolio, market);
        var after = calculator.Assess(portfolio, shocked);
        return new StressOutcome(portfolio.AccountId, EquityOf(after) - EquityOf(before), before, after);
    }
}
