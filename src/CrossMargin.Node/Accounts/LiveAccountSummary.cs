using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Margin;

namespace CrossMargin.Node.Accounts;

/// <summary>An account's headline figures, as the dashboard's histogram and at-risk table show them.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Mode">Its margin mode.</param>
/// <param name="Status">Its margin status (healthy when never assessed).</param>
/// <param name="EquityUsd">Equity.</param>
/// <param name="InitialMarginUsd">Initial margin.</param>
/// <param name="MaintenanceMarginUsd">Maintenance margin.</param>
/// <param name="MarginRatio">Maintenance margin / equity; null when equity is not positive.</param>
/// <param name="Positions">How many positions it holds.</param>
/// <param name="ValuationTime">The market its figures are at.</param>
public sealed record LiveAccountSummary(
    string AccountId, MarginMode Mode, MarginStatus Status, decimal EquityUsd, decimal InitialMarginUsd, decimal MaintenanceMarginUsd, decimal? MarginRatio,
    int Positions, DateTimeOffset? ValuationTime)
{
    /// <summary>The summary of <paramref name="view"/>.</summary>
    public static LiveAccountSummary Of(AccountView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var m = view.Margin;
        return new LiveAccountSummary(view.AccountId, view.Mode, m?.Status ?? MarginStatus.Healthy, m?.EquityUsd ?? 0, m?.InitialMarginUsd ?? 0,
            m?.MaintenanceMarginUsd ?? 0, m?.MarginRatio is { } r ? Math.Round(r, 6) : null, view.Positions.Count, m?.ValuationTime);
    }
}
