using CrossMargin.Risk.Margin;

namespace CrossMargin.Engine.Accounts;

/// <summary>The headline figures of one margin assessment of the cross pool (USD; equity rounded down, requirements up, to the cent).</summary>
/// <param name="EquityUsd">Equity.</param>
/// <param name="InitialMarginUsd">Initial margin, open orders included.</param>
/// <param name="MaintenanceMarginUsd">Maintenance margin.</param>
/// <param name="AvailableMarginUsd">Equity less initial margin (negative in a margin call).</param>
/// <param name="Status">Healthy, margin call, liquidation or bankrupt.</param>
/// <param name="MarginRatio">Maintenance margin / equity, or null when equity is not positive.</param>
/// <param name="ValuationTime">The market's valuation time the figures are at.</param>
public sealed record MarginSummary(
    decimal EquityUsd,
    decimal InitialMarginUsd,
    decimal MaintenanceMarginUsd,
    decimal AvailableMarginUsd,
    MarginStatus Status,
    decimal? MarginRatio,
    DateTimeOffset ValuationTime)
{
    /// <summary>The summary of <paramref name="figures"/>.</summary>
    public static MarginSummary Of(MarginFigures figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        return new MarginSummary(figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.AvailableMarginUsd, figures.Status,
            figures.MarginRatio, figures.ValuationTime);
    }

    /// <summary>The summary of <paramref name="margin"/>.</summary>
    public static MarginSummary Of(AccountMargin margin)
    {
        ArgumentNullException.ThrowIfNull(margin);
        return new MarginSummary(margin.EquityUsd, margin.InitialMarginUsd, margin.MaintenanceMarginUsd, margin.AvailableMarginUsd, margin.Status,
            margin.MarginRatio, margin.ValuationTime);
    }
}
