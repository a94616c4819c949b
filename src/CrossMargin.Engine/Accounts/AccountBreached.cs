using CrossMargin.Risk.Margin;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Told to the breach-report reference (the liquidation coordinator) when an account is in liquidation or bankrupt:
/// on entering that status and again on every later re-assessment while it stays there, so a coordinator that
/// restarted hears of it again. The coordinator deduplicates by account.
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="Status">Liquidation or bankrupt.</param>
/// <param name="EquityUsd">Equity now.</param>
/// <param name="InitialMarginUsd">Initial margin now.</param>
/// <param name="MaintenanceMarginUsd">Maintenance margin now.</param>
/// <param name="ValuationTime">The market's valuation time.</param>
public sealed record AccountBreached(
    string AccountId, MarginStatus Status, decimal EquityUsd, decimal InitialMarginUsd, decimal MaintenanceMarginUsd, DateTimeOffset ValuationTime);
