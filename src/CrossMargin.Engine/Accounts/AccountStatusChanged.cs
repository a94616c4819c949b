using CrossMargin.Risk.Margin;

namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Published on the event stream when an account's margin status changes (healthy, margin call, liquidation,
/// bankrupt). An account starts as healthy, so one that recovers outside healthy publishes its status again.
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="From">The status before.</param>
/// <param name="To">The status now.</param>
/// <param name="EquityUsd">Equity now.</param>
/// <param name="InitialMarginUsd">Initial margin now.</param>
/// <param name="MaintenanceMarginUsd">Maintenance margin now.</param>
/// <param name="ValuationTime">The market's valuation time.</param>
public sealed record AccountStatusChanged(
    string AccountId, MarginStatus From, MarginStatus To, decimal EquityUsd, decimal InitialMarginUsd, decimal MaintenanceMarginUsd, DateTimeOffset ValuationTime);
