namespace CrossMargin.Risk.Margin;

/// <summary>An isolated position assessed on its own margin.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="EquityUsd">Isolated margin plus the position's value, in USD, rounded down to the cent.</param>
/// <param name="InitialMarginUsd">Initial margin, rounded up.</param>
/// <param name="MaintenanceMarginUsd">Maintenance margin, rounded up.</param>
/// <param name="Status">Where the position stands.</param>
/// <param name="LiquidationPrice">Mark at which it reaches maintenance (linear futures), or null.</param>
public sealed record IsolatedPositionMargin(
    string Symbol, decimal EquityUsd, decimal InitialMarginUsd, decimal MaintenanceMarginUsd, MarginStatus Status, decimal? LiquidationPrice);
